package deltastream

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"
)

// Connector holds a validated Config and the HTTP client shared by all of
// its connections. It implements driver.Connector; pass it to sql.OpenDB.
// It is safe for concurrent use.
type Connector struct {
	cfg    *Config
	client *client
	loc    *time.Location
}

// NewConnector validates cfg and returns a connector for sql.OpenDB (a
// *Connector). cfg is copied; later changes to it have no effect.
func NewConnector(cfg *Config) (driver.Connector, error) {
	if cfg == nil {
		return nil, fmt.Errorf("%w: nil Config: use NewConfig or ParseDSN", errDSN)
	}
	cfg = cfg.Clone()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return nil, err
	}
	return &Connector{cfg: cfg, client: newClient(cfg), loc: loc}, nil
}

// Connect implements driver.Connector. It makes no network call: DeltaStream
// keeps no session state, so a connection is the session context plus the
// shared HTTP client. Use Ping to check the endpoint and token.
func (c *Connector) Connect(ctx context.Context) (driver.Conn, error) {
	return &Conn{
		connector: c,
		client:    c.client,
		session:   sessionFromConfig(c.cfg),
	}, nil
}

// Driver implements driver.Connector.
func (c *Connector) Driver() driver.Driver { return &Driver{} }

// Close implements io.Closer; sql.DB.Close calls it. It closes the idle
// connections of the connector's own HTTP transport (not of a client given
// in Config.HTTPClient).
func (c *Connector) Close() error {
	if c.cfg.HTTPClient == nil {
		c.client.http.CloseIdleConnections()
	}
	return nil
}

// String describes the connector by its DSN, with the token masked.
func (c Connector) String() string {
	if c.cfg == nil {
		return "deltastream.Connector()"
	}
	return "deltastream.Connector(" + c.cfg.String() + ")"
}

// Format masks the token for every verb: without it, %s and %q would print
// the unexported *Config field by field, token included (fmt cannot call
// the Config's own Format on an unexported field).
func (c Connector) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", c.String())
		return
	}
	_, _ = f.Write([]byte(c.String()))
}
