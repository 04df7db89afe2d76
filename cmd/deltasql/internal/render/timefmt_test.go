package render

import (
	"testing"
	"time"
)

func FuzzDateTime(f *testing.F) {
	f.Add(int64(0), int64(0), 0)
	f.Add(int64(1714979289), int64(123000000), 0)
	f.Add(int64(1714979289), int64(47438100), -7*3600)
	f.Add(int64(-62135596800), int64(1), 5*3600+30*60)
	f.Add(int64(253402300800), int64(999999999), 60)
	f.Fuzz(func(t *testing.T, sec, nsec int64, off int) {
		loc := time.UTC
		if off != 0 {
			loc = time.FixedZone("", off%(24*3600))
		}
		tm := time.Unix(sec, nsec%1e9).In(loc)
		if got, want := string(appendDateTime(nil, tm, 'T', true)), tm.Format(time.RFC3339Nano); got != want {
			t.Fatalf("%v: got %q, want %q", tm, got, want)
		}
		if got, want := string(appendDateTime(nil, tm, ' ', false)), tm.Format(layoutTimestamp); got != want {
			t.Fatalf("%v: got %q, want %q", tm, got, want)
		}
		if got, want := string(appendDateTime(nil, tm, ' ', true)), tm.Format(layoutTimestampTZ); got != want {
			t.Fatalf("%v: got %q, want %q", tm, got, want)
		}
	})
}
