package storage

import (
	"errors"
	"io"
	"net/http"
)

// ErrUnavailable marks a MinIO request that got no usable answer: the server is down,
// unreachable, or says it cannot serve (502/503/504). The API answers it with 503
// storage_unavailable, naming MinIO, rather than a bare 500.
var ErrUnavailable = errors.New("storage: MinIO is unavailable")

type unavailableError struct{ err error }

func (e *unavailableError) Error() string   { return "storage: MinIO is unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() []error { return []error{ErrUnavailable, e.err} }

// outageTransport marks transport failures and gateway answers as ErrUnavailable, so every
// client call — whatever minio-go wraps around it — is recognisable as an outage.
type outageTransport struct{ base http.RoundTripper }

func (t outageTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		if r.Context().Err() != nil {
			return nil, err // the caller gave up: not an outage
		}
		return nil, &unavailableError{err}
	}
	switch resp.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, &unavailableError{errors.New(resp.Status)}
	}
	return resp, nil
}

// maxRetries bounds minio-go's retries of a failed request (its default of 10, with backoff,
// keeps a user waiting for seconds when MinIO is down): about a second, then 503.
const maxRetries = 3
