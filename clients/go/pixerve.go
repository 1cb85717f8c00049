// Package pixerve is a client of the Pixerve image ingestion server: job tokens and the HTTP API of
// docs/http-api.md (openapi/pixerve.v1.json), with the standard library only.
package pixerve

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"time"
)

// Job statuses (StatusResponse.status).
const (
	StatusPending    = "pending"
	StatusProcessing = "processing"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusCancelled  = "cancelled"
)

// IsFinal reports whether a job in this status will not change again.
func IsFinal(status string) bool {
	return status == StatusCompleted || status == StatusFailed || status == StatusCancelled
}

// Problem is a refusal: RFC 9457 problem details with Pixerve's field. It is the error the client returns.
type Problem struct {
	Type    string       `json:"type,omitempty"`
	Title   string       `json:"title,omitempty"`
	Status  int          `json:"status"`
	Detail  string       `json:"detail,omitempty"`
	Field   string       `json:"field,omitempty"`
	TraceID string       `json:"trace_id,omitempty"`
	Jobs    []BatchEntry `json:"jobs,omitempty"`
}

func (p *Problem) Error() string {
	if p.Field != "" {
		return fmt.Sprintf("pixerve: %d %s: %s (field %s)", p.Status, p.Title, p.Detail, p.Field)
	}
	return fmt.Sprintf("pixerve: %d %s: %s", p.Status, p.Title, p.Detail)
}

// UploadResponse answers an upload of one file.
type UploadResponse struct {
	Hash          string   `json:"hash"`
	JobID         string   `json:"job_id"`
	ExpectedFiles []string `json:"expected_files"`
	Status        string   `json:"status"`
}

// BatchEntry is one file of a batch upload: a job, or the problem that refused the file.
type BatchEntry struct {
	File          string   `json:"file"`
	Hash          string   `json:"hash,omitempty"`
	JobID         string   `json:"job_id,omitempty"`
	ExpectedFiles []string `json:"expected_files,omitempty"`
	Status        string   `json:"status,omitempty"`
	Error         *Problem `json:"error,omitempty"`
}

// BatchResponse answers an upload of several files.
type BatchResponse struct {
	Jobs []BatchEntry `json:"jobs"`
}

// StoredFile is one output on one backend.
type StoredFile struct {
	Name     string `json:"name"`
	Backend  string `json:"backend"`
	Location string `json:"location"`
	Bytes    int64  `json:"bytes"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
}

// Webhook is the outcome of a job's completion callback.
type Webhook struct {
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastStatusCode *int       `json:"last_status_code"`
	LastError      *string    `json:"last_error"`
	DeliveredAt    *time.Time `json:"delivered_at"`
}

// Status is a job as GET /status answers it.
type Status struct {
	Hash          string       `json:"hash"`
	JobID         string       `json:"job_id"`
	Status        string       `json:"status"`
	Priority      int          `json:"priority"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
	StartedAt     *time.Time   `json:"started_at"`
	FinishedAt    *time.Time   `json:"finished_at"`
	Attempts      int          `json:"attempts"`
	ExpectedFiles []string     `json:"expected_files"`
	Files         []StoredFile `json:"files"`
	Error         *string      `json:"error"`
	Webhook       *Webhook     `json:"webhook"`
	ProcessedBy   *string      `json:"processed_by"`
	// Source is the source image as the job converted it; nil until then.
	Source *SourceInfo `json:"source"`
	// Outputs lists every output once, in ExpectedFiles order; empty until the job has converted its source.
	Outputs []JobOutput `json:"outputs"`
	// OutputsDone counts the outputs made, in ExpectedFiles order (all of them once completed); OutputsTotal is
	// ExpectedFiles' length.
	OutputsDone  int `json:"outputs_done"`
	OutputsTotal int `json:"outputs_total"`
}

// SourceInfo describes a job's source image. Width and Height are after its EXIF orientation; Format is its
// sniffed format as an extension (jpg, png, gif, webp, avif, heic); Frames is 1 for a still image. The
// placeholders come from a ≤100×100 downscale: ThumbHash is the ThumbHash bytes in standard base64 with padding,
// BlurHash has 4×3 components, DominantColor is #rrggbb (nil for a wholly transparent image).
type SourceInfo struct {
	Format        string  `json:"format"`
	Width         int     `json:"width"`
	Height        int     `json:"height"`
	HasAlpha      bool    `json:"has_alpha"`
	DominantColor *string `json:"dominant_color"`
	ThumbHash     string  `json:"thumbhash"`
	BlurHash      string  `json:"blurhash"`
	Frames        int     `json:"frames"`
}

// JobOutput is one output of a job: its format key (jpg, png, webp, avif, gif or original), its real pixel size
// after orientation and fitting, its length, and every place it was stored.
type JobOutput struct {
	Name      string           `json:"name"`
	Format    string           `json:"format"`
	Width     int              `json:"width"`
	Height    int              `json:"height"`
	Bytes     int64            `json:"bytes"`
	Locations []OutputLocation `json:"locations"`
}

// OutputLocation is where one backend stored an output; Location as in StoredFile.
type OutputLocation struct {
	Backend  string `json:"backend"`
	Location string `json:"location"`
}

// Record answers GET /success and GET /failures: status is success, failed or not_found; the rest is set
// for a finished job's own record.
type Record struct {
	Hash      string     `json:"hash"`
	JobID     string     `json:"job_id"`
	Status    string     `json:"status"`
	Timestamp *time.Time `json:"timestamp,omitempty"`
	FileCount int        `json:"file_count,omitempty"`
	Error     string     `json:"error,omitempty"`
	JobData   *JobData   `json:"job_data,omitempty"`
}

// JobData is what a finished job asked for and what it produced. Spec is the token's job claim as sent (every
// callbackHeaders value replaced by ***); Source and Outputs are as in Status.
type JobData struct {
	Spec          json.RawMessage `json:"spec"`
	ExpectedFiles []string        `json:"expected_files"`
	Files         []StoredFile    `json:"files"`
	Attempts      int             `json:"attempts"`
	Source        *SourceInfo     `json:"source"`
	Outputs       []JobOutput     `json:"outputs"`
}

// Job names a job: by Hash (with the token's claim) and/or JobID.
type Job struct {
	Hash  string
	JobID string
}

// File is one file to upload.
type File struct {
	Name string
	Data io.Reader
}

// MintToken makes an HS256 job token whose job claim is job (a map or struct marshalled as JSON), valid for ttl.
func MintToken(secret string, job interface{}, ttl time.Duration, sub string) (string, error) {
	now := time.Now().Unix()
	claims := map[string]interface{}{"job": job, "iat": now, "exp": now + int64(ttl/time.Second)}
	if sub != "" {
		claims["sub"] = sub
	}
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil)), nil
}

// Client calls one Pixerve gateway.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// New returns a client of the gateway at baseURL.
func New(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{}}
}

// Upload sends one image. formToken sends the token as the seed's multipart field instead of the header.
func (c *Client) Upload(ctx context.Context, file File, token string, formToken bool) (*UploadResponse, error) {
	var answer UploadResponse
	return &answer, c.upload(ctx, []File{file}, token, formToken, &answer)
}

// UploadBatch sends several images, one job each, under one token.
func (c *Client) UploadBatch(ctx context.Context, files []File, token string) (*BatchResponse, error) {
	var answer BatchResponse
	return &answer, c.upload(ctx, files, token, false, &answer)
}

func (c *Client) upload(ctx context.Context, files []File, token string, formToken bool, answer interface{}) error {
	var body bytes.Buffer
	form := multipart.NewWriter(&body)
	// preamble writes what comes before the file parts (the seed's token field) and answers the token for the header.
	preamble := func(form *multipart.Writer) (string, error) {
		if !formToken {
			return token, nil
		}
		return "", form.WriteField("token", token)
	}
	headerToken, err := preamble(form)
	if err != nil {
		return err
	}
	for _, f := range files {
		w, err := form.CreatePart(textproto.MIMEHeader{
			"Content-Disposition": {fileDisposition(f.Name)},
			"Content-Type":        {"application/octet-stream"},
		})
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, f.Data); err != nil {
			return err
		}
	}
	if err := form.Close(); err != nil {
		return err
	}
	request, err := c.request(ctx, http.MethodPost, "/upload", headerToken, &body, form.FormDataContentType(), "application/json")
	if err != nil {
		return err
	}
	// The body waits for the gateway's 100 Continue, so a token it refuses costs no body and the answer is not lost
	// to a connection it closes (with a Transport whose ExpectContinueTimeout is set, as http.DefaultTransport's is).
	request.Header.Set("Expect", "100-continue")
	response, err := c.roundTrip(request)
	var problem *Problem
	if err != nil && !errors.As(err, &problem) && ctx.Err() == nil {
		// The gateway refused before reading the body and closed while it was still going out (a Transport that does
		// not wait for 100 Continue): the write broke and the answer was dropped. Ask again with no file; a refusal
		// of the token (401, 403, 429…) is the answer the upload had, anything else leaves the transport error.
		var probe bytes.Buffer
		form := multipart.NewWriter(&probe)
		if _, werr := preamble(form); werr == nil && form.Close() == nil {
			request, rerr := c.request(ctx, http.MethodPost, "/upload", headerToken, &probe, form.FormDataContentType(), "application/json")
			if rerr == nil {
				if _, perr := c.roundTrip(request); errors.As(perr, &problem) && problem.Status > 400 && problem.Status < 500 {
					return problem
				}
			}
		}
	}
	if err != nil {
		return err
	}
	defer response.Body.Close()
	return json.NewDecoder(response.Body).Decode(answer)
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
	var s Status
	return &s, c.do(ctx, http.MethodGet, "/status"+query(job), token, nil, "", &s)
}

// Cancel cancels a pending job; a job that is not pending is a *Problem with Status 409.
func (c *Client) Cancel(ctx context.Context, token string, job Job) (*Status, error) {
	var s Status
	return &s, c.do(ctx, http.MethodDelete, "/cancel"+query(job), token, nil, "", &s)
}

// Success answers the job's success record.
func (c *Client) Success(ctx context.Context, token string, job Job) (*Record, error) {
	var r Record
	return &r, c.do(ctx, http.MethodGet, "/success"+query(job), token, nil, "", &r)
}

// Failures answers the job's failure record.
func (c *Client) Failures(ctx context.Context, token string, job Job) (*Record, error) {
	var r Record
	return &r, c.do(ctx, http.MethodGet, "/failures"+query(job), token, nil, "", &r)
}

// Events calls each for every state the gateway streams from /events (server-sent events) until a final state,
// the end of the stream, or each returning false. The stream's progress events (source, output_done) are skipped.
func (c *Client) Events(ctx context.Context, token string, job Job, each func(*Status) bool) error {
	response, err := c.send(ctx, http.MethodGet, "/events"+query(job), token, nil, "", "text/event-stream")
	if err != nil {
		return err
	}
	defer response.Body.Close()
	scanner := bufio.NewScanner(response.Body)
	scanner.Buffer(make([]byte, 64*1024), 4*1024*1024)
	var data []string
	eventType := ""
	for scanner.Scan() {
		line := strings.TrimRight(scanner.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "event:"):
			eventType = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		case line == "" && len(data) > 0:
			isState := eventType == "" || eventType == "pending" || eventType == "processing" || IsFinal(eventType)
			eventType = ""
			if !isState {
				data = nil
				continue
			}
			var s Status
			if err := json.Unmarshal([]byte(strings.Join(data, "\n")), &s); err != nil {
				return err
			}
			data = nil
			if !each(&s) || IsFinal(s.Status) {
				return nil
			}
		}
	}
	return scanner.Err()
}

// WaitUntilFinal answers the job's status once final: from /events, then by polling with backoff if the stream
// breaks. ctx bounds the wait.
func (c *Client) WaitUntilFinal(ctx context.Context, token string, job Job) (*Status, error) {
	var last *Status
	err := c.Events(ctx, token, job, func(s *Status) bool { last = s; return true })
	if last != nil && IsFinal(last.Status) {
		return last, nil
	}
	var problem *Problem
	if errors.As(err, &problem) {
		return nil, err
	}
	delay := 200 * time.Millisecond
	for {
		s, err := c.Status(ctx, token, job)
		if err != nil {
			return nil, err
		}
		if IsFinal(s.Status) {
			return s, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
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
	response, err := c.send(ctx, http.MethodGet, "/files/"+strings.Join(parts, "/"), "", nil, "", "")
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	return io.ReadAll(response.Body)
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

func (c *Client) do(ctx context.Context, method, path, token string, body io.Reader, contentType string, answer interface{}) error {
	response, err := c.send(ctx, method, path, token, body, contentType, "application/json")
	if err != nil {
		return err
	}
	defer response.Body.Close()
	return json.NewDecoder(response.Body).Decode(answer)
}

func (c *Client) send(ctx context.Context, method, path, token string, body io.Reader, contentType, accept string) (*http.Response, error) {
	request, err := c.request(ctx, method, path, token, body, contentType, accept)
	if err != nil {
		return nil, err
	}
	return c.roundTrip(request)
}

func (c *Client) request(ctx context.Context, method, path, token string, body io.Reader, contentType, accept string) (*http.Request, error) {
	request, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
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

// roundTrip sends the request; an answer but 2xx is a *Problem.
func (c *Client) roundTrip(request *http.Request) (*http.Response, error) {
	client := c.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	if request.Header.Get("Authorization") != "" {
		client = keepTokenToOrigin(client)
	}
	response, err := client.Do(request)
	if err != nil {
		return nil, err
	}
	if response.StatusCode < 300 {
		return response, nil
	}
	defer response.Body.Close()
	raw, _ := io.ReadAll(response.Body)
	problem := &Problem{}
	if json.Unmarshal(raw, problem) != nil {
		problem.Detail = string(raw)
	}
	if problem.Status == 0 {
		problem.Status = response.StatusCode
	}
	return nil, problem
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
