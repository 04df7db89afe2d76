module github.com/deltastream-go/deltastream

go 1.25.0

require (
	github.com/DATA-DOG/go-sqlmock v1.5.2
	github.com/coder/websocket v1.8.15
	github.com/google/uuid v1.6.0
	github.com/jedib0t/go-pretty/v6 v6.6.8
	github.com/jmoiron/sqlx v1.4.0
	github.com/mattn/go-runewidth v0.0.16
	github.com/peterh/liner v1.2.2
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	golang.org/x/sys v0.47.0
	golang.org/x/term v0.37.0
	modernc.org/sqlite v1.59.0
)

require (
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/ncruces/go-strftime v1.1.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/rivo/uniseg v0.4.7 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/text v0.22.0 // indirect
	modernc.org/libc v1.76.0 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)
