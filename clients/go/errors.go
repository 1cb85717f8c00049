package pixerve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The three kinds of error every call returns (the same taxonomy as the other Pixerve clients):
//   - *Error: the gateway answered, and refused (RFC 9457 problem details); find it with errors.As.
//   - *NetworkError: no answer came (refused, reset, DNS, TLS); it wraps the cause.
//   - *TimeoutError: the call's deadline passed (the context's, or the http.Client's Timeout);
//     errors.Is(err, context.DeadlineExceeded) holds for it.
// A call whose context was cancelled returns an error for which errors.Is(err, context.Canceled) holds.

// Error is a refusal: the problem details the gateway answered with (status ≥ 300), every member of them as a field.
type Error struct {
	Type    string `json:"type,omitempty"`
	Title   string `json:"title,omitempty"`
	Status  int    `json:"status"`
	Detail  string `json:"detail,omitempty"`
	Field   string `json:"field,omitempty"`
	TraceID string `json:"trace_id,omitempty"`
	// Errors lists the input errors by field, where the gateway names several (a bad credential).
	Errors map[string][]string `json:"errors,omitempty"`
	// Jobs is the per-file entries when every file of a batch upload was refused.
	Jobs []BatchEntry `json:"jobs,omitempty"`
	// Files is the taken file names of an upload's 409.
	Files []string `json:"files,omitempty"`
	// RetryAfter is the answer's Retry-After (429, 503), 0 without one.
	RetryAfter time.Duration `json:"-"`
	// Extensions holds every other member of the problem, as sent.
	Extensions map[string]json.RawMessage `json:"-"`
}

// Problem is the name this type had before; it stays so that code written against it keeps compiling.
type Problem = Error

func (p *Error) Error() string {
	if p.Field != "" {
		return fmt.Sprintf("pixerve: %d %s: %s (field %s)", p.Status, p.Title, p.Detail, p.Field)
	}
	return fmt.Sprintf("pixerve: %d %s: %s", p.Status, p.Title, p.Detail)
}

// UnmarshalJSON reads the known members into their fields and keeps the rest in Extensions.
func (p *Error) UnmarshalJSON(raw []byte) error {
	type plain Error // no methods: no recursion
	var known plain
	if err := json.Unmarshal(raw, &known); err != nil {
		return err
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return err
	}
	for _, name := range []string{"type", "title", "status", "detail", "field", "trace_id", "errors", "jobs", "files"} {
		delete(members, name)
	}
	*p = Error(known)
	if len(members) > 0 {
		p.Extensions = members
	}
	return nil
}

// problemFrom reads a refusal's body and headers.
func problemFrom(response *http.Response, raw []byte) *Error {
	problem := &Error{}
	if json.Unmarshal(raw, problem) != nil {
		problem = &Error{Detail: strings.TrimSpace(string(raw))}
	}
	if problem.Status == 0 {
		problem.Status = response.StatusCode
	}
	if problem.Title == "" {
		problem.Title = http.StatusText(response.StatusCode)
	}
	if after := response.Header.Get("Retry-After"); after != "" {
		if seconds, err := strconv.Atoi(after); err == nil && seconds >= 0 {
			problem.RetryAfter = time.Duration(seconds) * time.Second
		} else if at, err := http.ParseTime(after); err == nil && time.Until(at) > 0 {
			problem.RetryAfter = time.Until(at).Round(time.Second)
		}
	}
	return problem
}

// NetworkError is a call that got no answer: the connection was refused or reset, a name did not resolve, TLS failed.
type NetworkError struct {
	Op  string // the client's method: Upload, Status, …
	URL string
	Err error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("pixerve: %s %s: no answer: %v", e.Op, e.URL, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// TimeoutError is a call whose deadline passed before it was done; its request was cancelled.
type TimeoutError struct {
	Op string
	// Timeout is the bound the call had: from its start to the context's deadline, or the http.Client's Timeout.
	Timeout time.Duration
	Err     error
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("pixerve: %s timed out after %v: %v", e.Op, e.Timeout, e.Err)
}

func (e *TimeoutError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, context.DeadlineExceeded) true whatever the cause's own chain says (the http.Client's
// Timeout surfaces as another error).
func (e *TimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// call is one public method's run: its name and start, to say which operation failed and with which bound.
type call struct {
	op      string
	ctx     context.Context
	started time.Time
	client  *http.Client
}

func (c *Client) begin(ctx context.Context, op string) call {
	return call{op: op, ctx: ctx, started: time.Now(), client: c.httpClient()}
}

// fail turns an error of this call into one of the three kinds; one already classified goes as it is.
func (k call) fail(target string, err error) error {
	if err == nil {
		return nil
	}
	var problem *Error
	var network *NetworkError
	var timeout *TimeoutError
	if errors.As(err, &problem) || errors.As(err, &network) || errors.As(err, &timeout) {
		return err
	}
	switch ctxErr := k.ctx.Err(); {
	case ctxErr == context.DeadlineExceeded:
		bound := time.Duration(0)
		if deadline, ok := k.ctx.Deadline(); ok {
			bound = deadline.Sub(k.started).Round(time.Millisecond)
		}
		return &TimeoutError{Op: k.op, Timeout: bound, Err: err}
	case ctxErr != nil:
		return fmt.Errorf("pixerve: %s: %w", k.op, ctxErr)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return &TimeoutError{Op: k.op, Timeout: k.client.Timeout, Err: err}
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) { // its message would name the method and URL a second time
		err = urlErr.Err
	}
	return &NetworkError{Op: k.op, URL: target, Err: err}
}
