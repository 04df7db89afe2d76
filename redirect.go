package deltastream

import (
	"fmt"
	"net/http"
	"net/url"
)

// The driver never follows an HTTP redirect, on either plane: Go's default
// policy would forward the Authorization header to the same host or a
// sub-domain whatever the port or the scheme, and replay a POST as a GET
// elsewhere. DeltaStream's API does not redirect, so a redirect is a
// misconfigured host or proxy, or a hostile server: it ends the request
// with an *Error matching ErrRedirected that says where the server tried
// to send it.

// withoutRedirects returns a copy of hc that never follows a redirect: the
// 3xx answer itself comes back, for redirectError. The caller's client is
// not changed, and its own CheckRedirect is never consulted, so it cannot
// re-open the hole. Transport, Jar and Timeout are shared with hc.
func withoutRedirects(hc *http.Client) *http.Client {
	cp := *hc
	cp.CheckRedirect = refuseRedirect
	return &cp
}

func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// isRedirect reports the statuses Go's client would follow.
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectError describes a refused redirect of request op: where the
// server tried to send it (scheme, host and path; never a user name,
// password or query, which may hold a secret), with the secrets masked and
// the text escaped.
func redirectError(resp *http.Response, op string, secrets ...string) *Error {
	msg := fmt.Sprintf("%s was redirected (HTTP %d) to %s; the driver never follows redirects, so that the token cannot reach another address. DeltaStream's API does not redirect: check the host in the DSN and any proxy in between",
		op, resp.StatusCode, redirectTarget(resp))
	return serverError(resp.StatusCode, "", msg, "", "", secrets...)
}

// redirectTarget is the Location of a redirect, resolved against the
// request's URL, without user info, query or fragment.
func redirectTarget(resp *http.Response) string {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "an unnamed location"
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "an unparsable location"
	}
	if resp.Request != nil && resp.Request.URL != nil {
		u = resp.Request.URL.ResolveReference(u)
	}
	clean := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	s := clean.String()
	if u.RawQuery != "" {
		s += "?…"
	}
	return s
}
