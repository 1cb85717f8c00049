package pixerve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Client calls one Pixerve gateway. Every method takes a context.Context: its deadline is the call's timeout (a
// *TimeoutError when it passes, the request cancelled) and cancelling it stops the call.
type Client struct {
	BaseURL string
	// HTTP sends the requests (nil: http.DefaultClient). Its Timeout, when set, bounds each request too.
	HTTP *http.Client
}

// New returns a client of the gateway at baseURL.
func New(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{}}
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

// UploadOptions tunes Upload and UploadBatch; nil is the zero value.
type UploadOptions struct {
	// FormToken sends the token as a `token` form field before the files (the seed's way) instead of the
	// Authorization header.
	FormToken bool
	// OnProgress gets the file bytes handed to the connection so far and their total (-1 when a size is unknown),
	// called from the goroutine that writes the request's body.
	OnProgress func(sent, total int64)
}

// Upload sends one image, streamed, and answers its job.
func (c *Client) Upload(ctx context.Context, file File, token string, opts *UploadOptions) (*UploadResponse, error) {
	var answer UploadResponse
	if err := c.upload(c.begin(ctx, "Upload"), []File{file}, token, opts, &answer); err != nil {
		return nil, err
	}
	return &answer, nil
}

// UploadBatch sends several images under one token, one job each: the answer has an entry per file, a job or the
// problem that refused that file. When every file is refused the error is an *Error whose Jobs lists them.
func (c *Client) UploadBatch(ctx context.Context, files []File, token string, opts *UploadOptions) (*BatchResponse, error) {
	var answer BatchResponse
	if err := c.upload(c.begin(ctx, "UploadBatch"), files, token, opts, &answer); err != nil {
		return nil, err
	}
	return &answer, nil
}

// source is one file part as the upload sends it.
type source struct {
	name string
	data io.Reader
	size int64 // -1: unknown
}

func (c *Client) upload(k call, files []File, token string, opts *UploadOptions, answer interface{}) error {
	var o UploadOptions
	if opts != nil {
		o = *opts
	}
	target := c.BaseURL + "/upload"
	sources := make([]source, len(files))
	total := int64(0)
	for i, f := range files {
		s := source{name: f.Name, data: f.Data, size: -1}
		if s.data == nil {
			if f.Path == "" {
				return fmt.Errorf("pixerve: %s: file %d has neither Data nor Path", k.op, i)
			}
			opened, err := os.Open(f.Path)
			if err != nil {
				return err
			}
			defer opened.Close()
			s.data = opened
			if s.name == "" {
				s.name = filepath.Base(f.Path)
			}
		}
		if s.size = f.Size; s.size <= 0 {
			s.size = knownSize(s.data)
		}
		if total >= 0 && s.size >= 0 {
			total += s.size
		} else {
			total = -1
		}
		sources[i] = s
	}
	headerToken := token
	if o.FormToken {
		headerToken = ""
	}
	boundary := multipart.NewWriter(io.Discard).Boundary()
	// The framing around the files, written once without them: with every size known the request has a
	// Content-Length (so a file over the gateway's limit is refused before it is sent), else it goes chunked.
	var framing countingWriter
	if err := writeForm(&framing, boundary, token, o.FormToken, sources, false, nil); err != nil {
		return err
	}
	length := int64(-1)
	if total >= 0 {
		length = framing.n + total
	}
	progress := func(sent int64) {
		if o.OnProgress != nil {
			o.OnProgress(sent, total)
		}
	}

	// The form is written into a pipe as the transport reads it: no file is ever held whole in memory.
	body, pipe := io.Pipe()
	written := make(chan struct{})
	go func() {
		defer close(written)
		pipe.CloseWithError(writeForm(pipe, boundary, token, o.FormToken, sources, true, progress))
	}()
	request, err := c.request(k.ctx, http.MethodPost, target, headerToken, body, "multipart/form-data; boundary="+boundary, "application/json")
	if err != nil {
		body.Close()
		<-written
		return err
	}
	request.ContentLength = length
	// The body waits for the gateway's 100 Continue, so a token it refuses costs no body and the answer is not lost
	// to a connection it closes (with a Transport whose ExpectContinueTimeout is set, as http.DefaultTransport's is).
	request.Header.Set("Expect", "100-continue")
	response, err := c.roundTrip(k, request)
	// The transport may stop reading early (a refusal): the writer must not block on the pipe, nor read a source
	// after this call has returned.
	body.CloseWithError(errors.New("pixerve: the upload's request is over"))
	<-written
	var problem *Error
	if err != nil && !errors.As(err, &problem) && k.ctx.Err() == nil {
		// The gateway refused before reading the body and closed while it was still going out (a Transport that does
		// not wait for 100 Continue): the write broke and the answer was dropped. Ask again with no file; a refusal
		// of the token (401, 403, 429…) is the answer the upload had, anything else leaves the transport error.
		var probe bytes.Buffer
		if writeForm(&probe, boundary, token, o.FormToken, nil, false, nil) == nil {
			request, rerr := c.request(k.ctx, http.MethodPost, target, headerToken, &probe, "multipart/form-data; boundary="+boundary, "application/json")
			if rerr == nil {
				if _, perr := c.roundTrip(k, request); errors.As(perr, &problem) && problem.Status > 400 && problem.Status < 500 {
					return problem
				}
			}
		}
	}
	if err != nil {
		return err
	}
	return k.decode(target, response, answer)
}

// writeForm writes the multipart body: the token field first when formToken, then each file part; with files false
// the parts are empty (to measure the framing).
func writeForm(w io.Writer, boundary, token string, formToken bool, sources []source, files bool, progress func(int64)) error {
	form := multipart.NewWriter(w)
	if err := form.SetBoundary(boundary); err != nil {
		return err
	}
	if formToken {
		if err := form.WriteField("token", token); err != nil {
			return err
		}
	}
	sent := int64(0)
	for _, s := range sources {
		part, err := form.CreatePart(textproto.MIMEHeader{
			"Content-Disposition": {fileDisposition(s.name)},
			"Content-Type":        {"application/octet-stream"},
		})
		if err != nil {
			return err
		}
		if !files {
			continue
		}
		if progress != nil {
			progress(sent)
			part = &progressWriter{w: part, sent: &sent, each: progress}
		}
		if _, err := io.Copy(part, s.data); err != nil {
			return err
		}
	}
	return form.Close()
}

// knownSize answers the bytes left in r when r can tell, else -1.
func knownSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }:
		return int64(v.Len())
	case *os.File:
		info, err := v.Stat()
		if err != nil || !info.Mode().IsRegular() {
			return -1
		}
		at, err := v.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		return info.Size() - at
	}
	return -1
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(b []byte) (int, error) { w.n += int64(len(b)); return len(b), nil }

// progressWriter reports what each write handed on: a write to the pipe returns once the transport has read it.
type progressWriter struct {
	w    io.Writer
	sent *int64
	each func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if n > 0 {
		*p.sent += int64(n)
		p.each(*p.sent)
	}
	return n, err
}

// fileDisposition is a file part's Content-Disposition. The name never goes into the header raw (CR and LF would
// end it and start another; mime/multipart only escapes quotes and backslashes): in filename="…" printable ASCII
// stays except '"', '%' and '\', every other byte is percent-encoded (RFC 7578 §4.2), and a name that needed
// that also goes exactly in filename* (UTF-8, RFC 8187), which the gateway reads first.
func fileDisposition(name string) string {
	fallback := percentEncoded(name, func(b byte) bool { return b >= 0x20 && b < 0x7f && b != '"' && b != '%' && b != '\\' })
	disposition := `form-data; name="file"; filename="` + fallback + `"`
	if fallback == name {
		return disposition
	}
	return disposition + "; filename*=UTF-8''" + percentEncoded(name, func(b byte) bool {
		return b < 0x80 && (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0)
	})
}

func percentEncoded(s string, keep func(byte) bool) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if keep(s[i]) {
			b.WriteByte(s[i])
		} else {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
	}
	return b.String()
}

// Status answers the job's current state.
func (c *Client) Status(ctx context.Context, token string, job Job) (*Status, error) {
	return c.status(c.begin(ctx, "Status"), token, job)
}

func (c *Client) status(k call, token string, job Job) (*Status, error) {
	var s Status
	if err := c.do(k, http.MethodGet, "/status"+query(job), token, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Cancel cancels a pending job; a job that is not pending is an *Error with Status 409.
func (c *Client) Cancel(ctx context.Context, token string, job Job) (*Status, error) {
	var s Status
	if err := c.do(c.begin(ctx, "Cancel"), http.MethodDelete, "/cancel"+query(job), token, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Retry runs a failed job again from its original and answers its status (pending, or already processing); a job
// that is not failed, or was retried as often as the gateway allows, is an *Error with Status 409.
func (c *Client) Retry(ctx context.Context, token string, job Job) (*Status, error) {
	var s Status
	if err := c.do(c.begin(ctx, "Retry"), http.MethodPost, "/retry"+query(job), token, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Success answers the job's success record (Status "success", or "not_found" while it is not completed).
func (c *Client) Success(ctx context.Context, token string, job Job) (*Record, error) {
	var r Record
	if err := c.do(c.begin(ctx, "Success"), http.MethodGet, "/success"+query(job), token, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Failures answers the job's failure record (Status "failed"; "success" for a completed job; else "not_found").
func (c *Client) Failures(ctx context.Context, token string, job Job) (*Record, error) {
	var r Record
	if err := c.do(c.begin(ctx, "Failures"), http.MethodGet, "/failures"+query(job), token, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// WaitUntilFinal answers the job's status once it is completed, failed or cancelled: from /events, then by polling
// with backoff if the stream breaks. ctx bounds the wait: past its deadline the answer is a *TimeoutError.
func (c *Client) WaitUntilFinal(ctx context.Context, token string, job Job) (*Status, error) {
	k := c.begin(ctx, "WaitUntilFinal")
	stream, err := c.events(k, token, job)
	if err == nil {
		for stream.Next() {
			if s := stream.Event().Status; s != nil && IsFinal(s.Status) {
				stream.Close()
				return s, nil
			}
		}
		err = stream.Err()
		stream.Close()
	}
	var problem *Error
	var timeout *TimeoutError
	if errors.As(err, &problem) || errors.As(err, &timeout) || ctx.Err() != nil {
		return nil, k.fail("", err)
	}
	delay := 200 * time.Millisecond
	for {
		s, err := c.status(k, token, job)
		if err != nil {
			return nil, err
		}
		if IsFinal(s.Status) {
			return s, nil
		}
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, k.fail("", ctx.Err())
		case <-timer.C:
		}
		if delay *= 2; delay > 5*time.Second {
			delay = 5 * time.Second
		}
	}
}

// Download answers a directHost output, served at /files/{subDir}/{name}.
func (c *Client) Download(ctx context.Context, subDir, name string) ([]byte, error) {
	var parts []string
	for _, p := range strings.Split(strings.Trim(subDir, "/")+"/"+name, "/") {
		if p != "" {
			parts = append(parts, url.PathEscape(p))
		}
	}
	k := c.begin(ctx, "Download")
	target := c.BaseURL + "/files/" + strings.Join(parts, "/")
	response, err := c.send(k, http.MethodGet, target, "", "")
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		return nil, k.fail(target, err)
	}
	return data, nil
}

func query(job Job) string {
	values := url.Values{}
	if job.Hash != "" {
		values.Set("hash", job.Hash)
	}
	if job.JobID != "" {
		values.Set("job_id", job.JobID)
	}
	if len(values) == 0 {
		return ""
	}
	return "?" + values.Encode()
}

func (c *Client) do(k call, method, path, token string, answer interface{}) error {
	target := c.BaseURL + path
	request, err := c.request(k.ctx, method, target, token, nil, "", "application/json")
	if err != nil {
		return err
	}
	response, err := c.roundTrip(k, request)
	if err != nil {
		return err
	}
	return k.decode(target, response, answer)
}

// decode reads a JSON answer; a body that breaks off is this call's network or timeout error.
func (k call) decode(target string, response *http.Response, answer interface{}) error {
	defer response.Body.Close()
	raw, err := io.ReadAll(response.Body)
	if err != nil {
		return k.fail(target, err)
	}
	if err := json.Unmarshal(raw, answer); err != nil {
		return fmt.Errorf("pixerve: %s: the gateway's answer is not the JSON expected: %w", k.op, err)
	}
	return nil
}

func (c *Client) send(k call, method, target, token, accept string) (*http.Response, error) {
	request, err := c.request(k.ctx, method, target, token, nil, "", accept)
	if err != nil {
		return nil, err
	}
	return c.roundTrip(k, request)
}

func (c *Client) request(ctx context.Context, method, target, token string, body io.Reader, contentType, accept string) (*http.Request, error) {
	request, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	if token != "" {
		request.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		request.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		request.Header.Set("Accept", accept)
	}
	return request, nil
}

// roundTrip sends the request; an answer but 2xx is an *Error, no answer a *NetworkError or *TimeoutError.
func (c *Client) roundTrip(k call, request *http.Request) (*http.Response, error) {
	client := k.client
	if request.Header.Get("Authorization") != "" {
		client = keepTokenToOrigin(client)
	}
	response, err := client.Do(request)
	if err != nil {
		return nil, k.fail(request.URL.String(), err)
	}
	if response.StatusCode < 300 {
		return response, nil
	}
	defer response.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(response.Body, 1<<20))
	if err != nil {
		return nil, k.fail(request.URL.String(), err)
	}
	return nil, problemFrom(response, raw)
}

// keepTokenToOrigin answers a copy of hc on which a redirect to another origin (scheme, host, port) than the
// request's goes without the Authorization header: the token is for the gateway it was given to. net/http drops
// it itself only for another domain: it keeps it for a subdomain, and for http after https on the same host:port.
func keepTokenToOrigin(hc *http.Client) *http.Client {
	next, copied := hc.CheckRedirect, *hc
	copied.CheckRedirect = func(request *http.Request, via []*http.Request) error {
		if origin(request.URL) != origin(via[0].URL) {
			request.Header.Del("Authorization")
		}
		if next != nil {
			return next(request, via)
		}
		if len(via) >= 10 { // net/http's own limit when CheckRedirect is nil
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &copied
}

func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}
