package deltastream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Defaults of NewConfig.
const (
	DefaultHost            = "api.deltastream.io"
	DefaultPath            = "/v2"
	DefaultTimezone        = "UTC"
	DefaultMinPollInterval = 10 * time.Millisecond
	DefaultMaxPollInterval = time.Second
	DefaultPrefetch        = 2
	DefaultRequestTimeout  = time.Minute
	DefaultRetryTimeout    = 10 * time.Second
)

var errDSN = errors.New("deltastream: invalid DSN")

// Config is the configuration of a connector. Build one with NewConfig or
// ParseDSN, adjust it, and pass it to NewConnector. A Config must not be
// changed after it was passed to NewConnector.
//
// Printing a Config (%v, %+v, %s) masks the token.
type Config struct {
	// Endpoint.
	Scheme string // "https" (default) or "http"
	Host   string // host[:port] of the API, default api.deltastream.io
	Path   string // API base path, default /v2 ("" means /v2)
	Token  string // API token, sent as a bearer token; a secret

	// Session context sent with every statement (parameter names as in the API).
	Organization string // organization name or UUID
	Role         string
	Database     string
	Schema       string
	Store        string
	ComputePool  string
	SessionID    string // correlation id for the service's logs
	Timezone     string // IANA zone in which TIMESTAMP_LTZ values are rendered, default UTC

	// Driver knobs.
	MinPollInterval    time.Duration // first wait before polling a running statement, default 10ms
	MaxPollInterval    time.Duration // longest wait between two polls, default 1s
	Prefetch           int           // partitions fetched ahead of the reader, default 2
	RequestTimeout     time.Duration // bound on waiting for one answer; then its body must deliver 4 KiB (or end) per RequestTimeout of waiting; bounds a WebSocket's handshake and metadata frame too; default 1m; 0 means none
	RetryTimeout       time.Duration // budget for retrying an idempotent request, default 10s; 0 disables retries
	InsecureSkipVerify bool          // skip TLS certificate verification (never in production)
	AllowInsecureHTTP  bool          // allow sending the token over plain http:// to a non-loopback host

	// Not expressible in a DSN.

	// TokenProvider, when set, is called before every request for the bearer
	// token (rotating tokens); it overrides Token. It must be safe for
	// concurrent use.
	TokenProvider func(ctx context.Context) (string, error)
	// HTTPClient makes every request, WebSocket handshakes included. When
	// nil the connector builds a client tuned for this workload; the driver
	// never uses http.DefaultClient. The driver uses a copy of the client
	// that never follows redirects (the token would go along): its
	// CheckRedirect is never called, and the client itself is not changed.
	HTTPClient *http.Client
	// Logger receives debug records of requests and retries (never the
	// token). Nil means silent.
	Logger *slog.Logger
	// UserAgent is appended to the driver's User-Agent header.
	UserAgent string
}

// NewConfig returns a Config with every default set.
func NewConfig() *Config {
	return &Config{
		Scheme:          "https",
		Host:            DefaultHost,
		Path:            DefaultPath,
		Timezone:        DefaultTimezone,
		MinPollInterval: DefaultMinPollInterval,
		MaxPollInterval: DefaultMaxPollInterval,
		Prefetch:        DefaultPrefetch,
		RequestTimeout:  DefaultRequestTimeout,
		RetryTimeout:    DefaultRetryTimeout,
	}
}

// Clone returns a copy of the Config.
func (c *Config) Clone() *Config {
	cp := *c
	return &cp
}

// String returns the DSN of the Config with the token masked.
func (c Config) String() string {
	cp := c.Clone()
	if cp.Token != "" {
		cp.Token = "xxxxx"
	}
	return cp.FormatDSN()
}

// GoString masks the token for %#v.
func (c Config) GoString() string { return "deltastream.Config(" + c.String() + ")" }

// Format masks the token for every verb (%v, %+v, %s, %q).
func (c Config) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", c.String())
	default:
		_, _ = f.Write([]byte(c.String()))
	}
}

// baseURL is the control-plane base, e.g. https://api.deltastream.io/v2.
// An empty Path means DefaultPath.
func (c *Config) baseURL() string {
	path := c.Path
	if path == "" {
		path = DefaultPath
	}
	return c.Scheme + "://" + c.Host + path
}

// validate checks a Config before use.
func (c *Config) validate() error {
	if c.Scheme != "https" && c.Scheme != "http" {
		return fmt.Errorf("%w: scheme %q: use https:// (or deltastream://)", errDSN, c.Scheme)
	}
	if c.Host == "" {
		return fmt.Errorf("%w: empty host", errDSN)
	}
	if strings.ContainsAny(c.Host, "/?#@ \t\r\n") {
		return fmt.Errorf("%w: host %q is not a host[:port]", errDSN, c.Host)
	}
	if c.Path != "" && (!strings.HasPrefix(c.Path, "/") || strings.HasSuffix(c.Path, "/")) {
		return fmt.Errorf("%w: path %q must start with / and not end with /", errDSN, c.Path)
	}
	if c.Token == "" && c.TokenProvider == nil {
		return fmt.Errorf("%w: no API token: put it in the DSN as https://:TOKEN@host or set Config.TokenProvider", errDSN)
	}
	if c.Scheme == "http" && !c.AllowInsecureHTTP && !isLoopback(c.Host) {
		return fmt.Errorf("%w: refusing to send the API token over plain http:// to %s: use https://, or add allowInsecureHTTP=true to the DSN if you really mean it", errDSN, c.Host)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return fmt.Errorf("%w: timezone %q is not an IANA zone name: %v", errDSN, c.Timezone, err)
	}
	if c.Prefetch < 0 {
		return fmt.Errorf("%w: prefetch must be 0 or more, got %d", errDSN, c.Prefetch)
	}
	if c.MinPollInterval <= 0 || c.MaxPollInterval < c.MinPollInterval {
		return fmt.Errorf("%w: need 0 < minPollInterval <= maxPollInterval, got %v and %v", errDSN, c.MinPollInterval, c.MaxPollInterval)
	}
	if c.RequestTimeout < 0 || c.RetryTimeout < 0 {
		return fmt.Errorf("%w: requestTimeout and retryTimeout must not be negative", errDSN)
	}
	return nil
}

func isLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// dsnParam describes one DSN query parameter and the Config field it sets.
type dsnParam struct {
	name string
	get  func(c *Config) string // "" means "default, omit"
	set  func(c *Config, v string) error
}

func stringParam(name string, field func(c *Config) *string) dsnParam {
	return dsnParam{
		name: name,
		get:  func(c *Config) string { return *field(c) },
		set:  func(c *Config, v string) error { *field(c) = v; return nil },
	}
}

func durationParam(name string, field func(c *Config) *time.Duration) dsnParam {
	return dsnParam{
		name: name,
		get:  func(c *Config) string { return field(c).String() },
		set: func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("want a duration such as 500ms or 2s, got %q", v)
			}
			*field(c) = d
			return nil
		},
	}
}

func boolParam(name string, field func(c *Config) *bool) dsnParam {
	return dsnParam{
		name: name,
		get:  func(c *Config) string { return strconv.FormatBool(*field(c)) },
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("want true or false, got %q", v)
			}
			*field(c) = b
			return nil
		},
	}
}

// dsnParams lists every DSN parameter, in the order FormatDSN writes them.
var dsnParams = []dsnParam{
	stringParam("organization", func(c *Config) *string { return &c.Organization }),
	stringParam("role", func(c *Config) *string { return &c.Role }),
	stringParam("database", func(c *Config) *string { return &c.Database }),
	stringParam("schema", func(c *Config) *string { return &c.Schema }),
	stringParam("store", func(c *Config) *string { return &c.Store }),
	stringParam("computePool", func(c *Config) *string { return &c.ComputePool }),
	stringParam("sessionID", func(c *Config) *string { return &c.SessionID }),
	stringParam("timezone", func(c *Config) *string { return &c.Timezone }),
	durationParam("minPollInterval", func(c *Config) *time.Duration { return &c.MinPollInterval }),
	durationParam("maxPollInterval", func(c *Config) *time.Duration { return &c.MaxPollInterval }),
	{
		name: "prefetch",
		get:  func(c *Config) string { return strconv.Itoa(c.Prefetch) },
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return fmt.Errorf("want a whole number 0 or more, got %q", v)
			}
			c.Prefetch = n
			return nil
		},
	},
	durationParam("requestTimeout", func(c *Config) *time.Duration { return &c.RequestTimeout }),
	durationParam("retryTimeout", func(c *Config) *time.Duration { return &c.RetryTimeout }),
	boolParam("insecureSkipVerify", func(c *Config) *bool { return &c.InsecureSkipVerify }),
	boolParam("allowInsecureHTTP", func(c *Config) *bool { return &c.AllowInsecureHTTP }),
}

func knownParams() string {
	names := make([]string, len(dsnParams))
	for i, p := range dsnParams {
		names[i] = p.name
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// ParseDSN parses a DSN of the form
//
//	https://:TOKEN@host[:port][/v2][?param=value&...]
//
// into a Config with defaults for everything the DSN leaves out. The token is
// the URL password; a user name is ignored, so DSNs of the official clients
// work unchanged. deltastream:// is an alias of https://. No path (or /)
// means /v2; trailing slashes are dropped.
// Values are URL-decoded. An unknown parameter is an error that names it and
// lists the known ones. The returned error never contains the token.
func ParseDSN(dsn string) (*Config, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		// url's errors quote the input, token included: say less.
		return nil, fmt.Errorf("%w: not a URL of the form https://:TOKEN@host/v2?param=value", errDSN)
	}
	cfg := NewConfig()
	switch strings.ToLower(u.Scheme) {
	case "https", "deltastream":
		cfg.Scheme = "https"
	case "http":
		cfg.Scheme = "http"
	default:
		return nil, fmt.Errorf("%w: scheme %q: use https:// or deltastream://", errDSN, u.Scheme)
	}
	if u.Opaque != "" {
		return nil, fmt.Errorf("%w: missing // after the scheme", errDSN)
	}
	if u.Host != "" {
		cfg.Host = u.Host
	}
	if u.User != nil {
		cfg.Token, _ = u.User.Password()
	}
	if p := strings.TrimRight(u.Path, "/"); p != "" {
		cfg.Path = p
	}
	if u.Fragment != "" || strings.Contains(dsn, "#") {
		// Not repeated: a # inside an unescaped token starts a fragment.
		return nil, fmt.Errorf("%w: unexpected # (URL-encode a token that holds # as %%23)", errDSN)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: query string: %v", errDSN, err)
	}
	for name, vals := range q {
		p := findParam(name)
		if p == nil {
			return nil, fmt.Errorf("%w: unknown parameter %q; known parameters: %s", errDSN, name, knownParams())
		}
		if len(vals) != 1 {
			return nil, fmt.Errorf("%w: parameter %q given %d times", errDSN, name, len(vals))
		}
		if err := p.set(cfg, vals[0]); err != nil {
			return nil, fmt.Errorf("%w: parameter %s: %v", errDSN, name, err)
		}
	}
	return cfg, nil
}

func findParam(name string) *dsnParam {
	for i := range dsnParams {
		if dsnParams[i].name == name {
			return &dsnParams[i]
		}
	}
	return nil
}

// FormatDSN returns the DSN of the Config, writing only the parameters that
// differ from their defaults. ParseDSN(c.FormatDSN()) reproduces every field
// that a DSN can hold. The DSN contains the token: treat it as a secret.
func (c *Config) FormatDSN() string {
	u := url.URL{Scheme: c.Scheme, Host: c.Host, Path: c.Path}
	if u.Scheme == "" {
		u.Scheme = "https"
	}
	if c.Token != "" {
		u.User = url.UserPassword("", c.Token)
	}
	def := NewConfig()
	var parts []string
	for _, p := range dsnParams {
		v := p.get(c)
		if v == p.get(def) {
			continue
		}
		parts = append(parts, url.QueryEscape(p.name)+"="+url.QueryEscape(v))
	}
	u.RawQuery = strings.Join(parts, "&")
	return u.String()
}
