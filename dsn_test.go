package deltastream

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDSN(t *testing.T) {
	tests := []struct {
		name string
		dsn  string
		want func(c *Config)
	}{
		{"minimal", "https://:tok@api.deltastream.io", func(c *Config) { c.Token = "tok" }},
		{"user name ignored", "https://someone:tok@api.deltastream.io/v2", func(c *Config) { c.Token = "tok" }},
		{"deltastream alias", "deltastream://:tok@api-x.deltastream.io/v2", func(c *Config) { c.Token = "tok"; c.Host = "api-x.deltastream.io" }},
		{"port and path", "https://:tok@h:8443/api/v2/", func(c *Config) { c.Token = "tok"; c.Host = "h:8443"; c.Path = "/api/v2" }},
		{"no host means default", "https://:tok@/v2", func(c *Config) { c.Token = "tok" }},
		{"loopback http", "http://:tok@127.0.0.1:9/v2", func(c *Config) { c.Token = "tok"; c.Scheme = "http"; c.Host = "127.0.0.1:9" }},
		{"url-decoded values", "https://:t%2Fo%40k@h/v2?organization=my%20org&role=sysadmin&database=d%26b&schema=s&store=st&computePool=cp&sessionID=abc&timezone=America%2FNew_York",
			func(c *Config) {
				c.Token, c.Host = "t/o@k", "h"
				c.Organization, c.Role, c.Database, c.Schema, c.Store, c.ComputePool = "my org", "sysadmin", "d&b", "s", "st", "cp"
				c.SessionID, c.Timezone = "abc", "America/New_York"
			}},
		{"knobs", "https://:tok@h?minPollInterval=5ms&maxPollInterval=2s&prefetch=4&requestTimeout=30s&retryTimeout=0s&insecureSkipVerify=true&allowInsecureHTTP=true",
			func(c *Config) {
				c.Token, c.Host = "tok", "h"
				c.MinPollInterval, c.MaxPollInterval, c.Prefetch = 5*time.Millisecond, 2*time.Second, 4
				c.RequestTimeout, c.RetryTimeout, c.InsecureSkipVerify, c.AllowInsecureHTTP = 30*time.Second, 0, true, true
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDSN(tt.dsn)
			require.NoError(t, err)
			want := NewConfig()
			tt.want(want)
			assert.Equal(t, want.FormatDSN(), got.FormatDSN())
			assert.Equal(t, *want, *got)
		})
	}
}

func TestParseDSNErrors(t *testing.T) {
	tests := []struct {
		dsn, want string
	}{
		{"mysql://:tok@h", `scheme "mysql"`},
		{"https://:tok@h?orgnization=x", `unknown parameter "orgnization"; known parameters: allowInsecureHTTP, computePool, database`},
		{"https://:tok@h?prefetch=-1", "prefetch"},
		{"https://:tok@h?maxPollInterval=soon", "want a duration"},
		{"https://:tok@h?insecureSkipVerify=maybe", "want true or false"},
		{"https://:tok@h?role=a&role=b", "given 2 times"},
		{"https://:secret-token@h%zz", "not a URL"},
		{"https:opaque", "missing //"},
	}
	for _, tt := range tests {
		t.Run(tt.dsn, func(t *testing.T) {
			_, err := ParseDSN(tt.dsn)
			require.Error(t, err)
			assert.ErrorIs(t, err, errDSN)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "secret-token")
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		dsn, want string
	}{
		{"https://h/v2", "no API token"},
		{"http://:tok@example.com/v2", "refusing to send the API token over plain http:// to example.com: use https://, or add allowInsecureHTTP=true"},
		{"https://:tok@h?timezone=Mars%2FOlympus", "not an IANA zone"},
		{"https://:tok@h?minPollInterval=2s&maxPollInterval=1s", "minPollInterval <= maxPollInterval"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			cfg, err := ParseDSN(tt.dsn)
			require.NoError(t, err)
			_, err = NewConnector(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	for _, ok := range []string{"http://:tok@localhost:1/v2", "http://:tok@[::1]:1/v2", "http://:tok@example.com/v2?allowInsecureHTTP=true"} {
		cfg, err := ParseDSN(ok)
		require.NoError(t, err)
		_, err = NewConnector(cfg)
		assert.NoError(t, err, ok)
	}
}

// TestDSNCoversConfig fails when a Config field is added without a DSN
// parameter (or without being listed here as not expressible in a DSN).
func TestDSNCoversConfig(t *testing.T) {
	notInDSN := map[string]bool{"TokenProvider": true, "HTTPClient": true, "Logger": true, "UserAgent": true}
	endpoint := map[string]bool{"Scheme": true, "Host": true, "Path": true, "Token": true}
	rt := reflect.TypeOf(Config{})
	for i := range rt.NumField() {
		f := rt.Field(i)
		if notInDSN[f.Name] || endpoint[f.Name] {
			continue
		}
		// Set the field to a non-default value and check it survives.
		cfg := NewConfig()
		v := reflect.ValueOf(cfg).Elem().Field(i)
		switch v.Kind() {
		case reflect.String:
			v.SetString("x-" + f.Name)
		case reflect.Bool:
			v.SetBool(!v.Bool())
		case reflect.Int:
			v.SetInt(v.Int() + 3)
		case reflect.Int64: // time.Duration
			v.SetInt(v.Int() + int64(7*time.Millisecond))
		default:
			t.Fatalf("Config.%s: kind %s not handled by this test", f.Name, v.Kind())
		}
		got, err := ParseDSN(cfg.FormatDSN())
		require.NoError(t, err, f.Name)
		assert.Equal(t, v.Interface(), reflect.ValueOf(got).Elem().Field(i).Interface(), "Config.%s is not carried by the DSN: add it to dsnParams", f.Name)
	}
}

func TestConfigMasksToken(t *testing.T) {
	cfg, err := ParseDSN("https://:s3cr3t-tok@h/v2?organization=o")
	require.NoError(t, err)
	for _, format := range []string{"%v", "%+v", "%s", "%#v", "%q"} {
		out := fmt.Sprintf(format, cfg)
		assert.NotContains(t, out, "s3cr3t", format)
		assert.Contains(t, out, "organization=o", format)
	}
	assert.NotContains(t, fmt.Sprintf("%v", *cfg), "s3cr3t", "value form")
	// A Config holding a provider and a client prints too.
	cfg.TokenProvider = func(context.Context) (string, error) { return "s3cr3t", nil }
	cfg.HTTPClient = &http.Client{}
	assert.NotContains(t, fmt.Sprintf("%+v", cfg), "s3cr3t")
}

func FuzzDSNRoundTrip(f *testing.F) {
	f.Add("https://:tok@api.deltastream.io/v2?organization=o&role=r&timezone=UTC")
	f.Add("deltastream://u:p%40ss@h:1/x/y?database=d%20b&prefetch=0&maxPollInterval=3s")
	f.Add("http://:t@127.0.0.1:8080?allowInsecureHTTP=true&insecureSkipVerify=1")
	f.Add("https://h")
	f.Fuzz(func(t *testing.T, dsn string) {
		cfg, err := ParseDSN(dsn)
		if err != nil {
			return
		}
		again, err := ParseDSN(cfg.FormatDSN())
		require.NoError(t, err, "FormatDSN output must parse: %q", cfg.FormatDSN())
		require.Equal(t, *cfg, *again)
		if cfg.Token != "" {
			u, err := url.Parse(cfg.String())
			require.NoError(t, err)
			pw, _ := u.User.Password()
			require.Equal(t, "xxxxx", pw, "String must mask the token")
		}
	})
}
