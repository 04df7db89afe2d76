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
