// Package pixerve is a client of the Pixerve image ingestion server: job tokens and the HTTP API of
// docs/http-api.md (openapi/pixerve.v1.json), with the standard library only.
package pixerve

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
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

// Webhook states (Webhook.Status).
const (
	WebhookPending   = "pending"
	WebhookDelivered = "delivered"
	WebhookFailed    = "failed"
)

// Webhook is the outcome of a job's completion callback: Status is WebhookPending, WebhookDelivered or WebhookFailed.
type Webhook struct {
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastStatusCode *int       `json:"last_status_code"`
	LastError      *string    `json:"last_error"`
	DeliveredAt    *time.Time `json:"delivered_at"`
}

// Status is a job as GET /status answers it.
type Status struct {
	Hash       string     `json:"hash"`
	JobID      string     `json:"job_id"`
	Status     string     `json:"status"`
	Priority   int        `json:"priority"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	StartedAt  *time.Time `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"`
	// Attempts counts the runs started, over all retries; Retries the POST /retry calls; History every run.
	Attempts      int          `json:"attempts"`
	Retries       int          `json:"retries"`
	History       []Run        `json:"history"`
	ExpectedFiles []string     `json:"expected_files"`
	Files         []StoredFile `json:"files"`
	Error         *string      `json:"error"`
	ErrorCategory *string      `json:"error_category"`
	ErrorID       *string      `json:"error_id"`
	// Webhook is nil without a completionCallback (or for a cancelled job).
	Webhook     *Webhook `json:"webhook"`
	ProcessedBy *string  `json:"processed_by"`
	// Source is the source image as the job converted it; nil until then.
	Source *SourceInfo `json:"source"`
	// Outputs lists every output once, in ExpectedFiles order; empty until the job has converted its source.
	Outputs []JobOutput `json:"outputs"`
	// OutputsDone counts the outputs made, in ExpectedFiles order (all of them once completed); OutputsTotal is
	// ExpectedFiles' length.
	OutputsDone  int `json:"outputs_done"`
	OutputsTotal int `json:"outputs_total"`
}

// Run is one run of a job: Outcome is completed, failed, broke, handed_back or lost (empty while it runs).
type Run struct {
	Attempt       int        `json:"attempt"`
	StartedAt     time.Time  `json:"started_at"`
	EndedAt       *time.Time `json:"ended_at"`
	Outcome       string     `json:"outcome"`
	ProcessedBy   string     `json:"processed_by"`
	Error         *string    `json:"error"`
	ErrorCategory *string    `json:"error_category"`
	ErrorID       *string    `json:"error_id"`
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
	Hash          string     `json:"hash"`
	JobID         string     `json:"job_id"`
	Status        string     `json:"status"`
	Timestamp     *time.Time `json:"timestamp,omitempty"`
	FileCount     int        `json:"file_count,omitempty"`
	Error         string     `json:"error,omitempty"`
	ErrorCategory string     `json:"error_category,omitempty"`
	ErrorID       string     `json:"error_id,omitempty"`
	JobData       *JobData   `json:"job_data,omitempty"`
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

// File is one file to upload, streamed as it is sent (never read whole into memory): Data, or else the file at
// Path, which the upload opens and closes itself.
type File struct {
	// Name is the part's file name, which names the outputs (default: Path's last element).
	Name string
	Data io.Reader
	Path string
	// Size is the bytes Data yields, when known, for the request's Content-Length; 0 lets the client find it (a
	// Path, a regular *os.File, or a reader with Len like *bytes.Reader), else the request goes chunked.
	Size int64
}

// MintToken makes an HS256 job token whose job claim is job (a Spec, or any value marshalled as a JSON object),
// valid for ttl; sub, when not empty, is its subject (the jobs' owner).
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
