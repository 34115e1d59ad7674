// Package problem is the error a service returns for a user's mistake or a refused
// operation: a stable machine code and the reason in Chinese and English, optionally per
// field. The API renders it as RFC 9457 problem+json; anything else is an internal error.
package problem

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Field is one field's reason.
type Field struct {
	// Location names the field as the API sees it, e.g. "body.phone".
	Location  string
	Message   string
	MessageEn string
	Value     any
}

// Error is a refusal with its HTTP status.
type Error struct {
	Status    int
	Code      string
	Message   string
	MessageEn string
	Fields    []Field
	// RetryAfter, when set, is sent as the Retry-After header: the server is busy or the
	// caller is throttled, and may try again after it.
	RetryAfter time.Duration
}

// GetHeaders gives the API the response headers the refusal carries (huma.HeadersError).
func (e *Error) GetHeaders() http.Header {
	if e.RetryAfter <= 0 {
		return nil
	}
	return http.Header{"Retry-After": {RetryAfterSeconds(e.RetryAfter)}}
}

// RetryAfterSeconds renders d as a Retry-After value: whole seconds, rounded up.
func RetryAfterSeconds(d time.Duration) string {
	return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.MessageEn)
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var p *Error
	ok := errors.As(err, &p)
	return p, ok
}

// Invalid is a 422 for input that fails validation.
func Invalid(fields ...Field) *Error {
	e := &Error{Status: http.StatusUnprocessableEntity, Code: "invalid_input", Message: "输入有误，请检查标出的字段", MessageEn: "invalid input", Fields: fields}
	if len(fields) == 1 {
		e.Message, e.MessageEn = fields[0].Message, fields[0].MessageEn
	}
	return e
}

// Conflict is a 409: the request clashes with the current state.
func Conflict(code, zh, en string) *Error {
	return &Error{Status: http.StatusConflict, Code: code, Message: zh, MessageEn: en}
}

// NotFound is a 404. It is also the answer for another tenant's record, so its existence
// does not leak.
func NotFound(code, zh, en string) *Error {
	return &Error{Status: http.StatusNotFound, Code: code, Message: zh, MessageEn: en}
}

// Forbidden is a 403.
func Forbidden(code, zh, en string) *Error {
	return &Error{Status: http.StatusForbidden, Code: code, Message: zh, MessageEn: en}
}

// Unavailable is a 503 for a dependency that is down.
func Unavailable(code, zh, en string) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: code, Message: zh, MessageEn: en}
}

// Checker gathers field errors so a form gets every reason at once.
type Checker struct{ fields []Field }

// Check records a field error unless ok.
func (c *Checker) Check(ok bool, location, zh, en string, value any) {
	if !ok {
		c.fields = append(c.fields, Field{Location: location, Message: zh, MessageEn: en, Value: value})
	}
}

// Err is nil when every check passed.
func (c *Checker) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return Invalid(c.fields...)
}

// Add records field errors found elsewhere (e.g. by a pure package's validation).
func (c *Checker) Add(fields ...Field) { c.fields = append(c.fields, fields...) }

// Fields returns the errors recorded so far.
func (c *Checker) Fields() []Field { return c.fields }

// Stale is the 412 for a change made on a copy someone else has changed since (If-Match):
// what names the thing, e.g. "该档案".
func Stale(what, whatEn string) *Error {
	return &Error{Status: http.StatusPreconditionFailed, Code: "stale_version", Message: what + "已被他人修改，请刷新后重试",
		MessageEn: whatEn + " changed since you loaded it; reload and retry"}
}
