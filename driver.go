// Package deltastream is a database/sql driver for DeltaStream, the
// serverless stream-processing service driven by SQL over a REST API.
//
// Open a database with a DSN:
//
//	db, err := sql.Open("deltastream", "https://:TOKEN@api.deltastream.io/v2?organization=acme&database=db")
//
// or with a Config, for what a DSN cannot hold (a token provider, an
// *http.Client, a logger):
//
//	cfg := deltastream.NewConfig()
//	cfg.TokenProvider = myTokens
//	connector, err := deltastream.NewConnector(cfg)
//	db := sql.OpenDB(connector)
//
// Statements are submitted with POST /v2/statements and, while they run,
// polled with an adaptive interval; results are read partition by
// partition with a bounded prefetch. Arguments are bound client-side (see
// the README, "Parameters"). Continuous queries stream rows from the
// dataplane WebSocket. The package dstest is an in-process fake server for
// tests.
package deltastream

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// DriverName is the name the driver is registered under with database/sql.
const DriverName = "deltastream"

func init() {
	sql.Register(DriverName, &Driver{})
}

// Driver is the database/sql driver. It implements driver.Driver and
// driver.DriverContext; database/sql calls it, users rarely do.
type Driver struct{}

// Open implements driver.Driver. database/sql uses OpenConnector instead;
// Open parses the DSN on every call.
func (d *Driver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector implements driver.DriverContext: it parses the DSN once.
func (d *Driver) OpenConnector(dsn string) (driver.Connector, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return NewConnector(cfg)
}
