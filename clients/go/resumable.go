package pixerve

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ResumableOptions tunes UploadResumable; nil or the zero value sends 4 MiB chunks and retries 5 times.
type ResumableOptions struct {
	// ChunkSize is the most bytes one PATCH carries (default 4 MiB).
	ChunkSize int64
	// OnProgress gets the bytes sent so far and the file's length as they go out; after a drop it goes back to the
	// offset the gateway has.
	OnProgress func(sent, total int64)
	// UploadURL goes on with an upload an earlier call left unfinished (the URL OnUploadURL was given), with the
	// same file and a token of the same sub and job claim; empty creates a new upload.
	UploadURL string
	// OnUploadURL gets the upload's URL as soon as it exists, to keep for UploadURL.
	OnUploadURL func(uploadURL string)
	// MaxRetries bounds the failures in a row without progress (a dropped connection, 409, 423 or 5xx) after which
	// the call gives up: 0 means 5, a negative number none.
	MaxRetries int
	// RetryDelays are the waits before each retry in a row, the last one repeated (default 0, 0.5, 1, 2, 4 s).
	RetryDelays []time.Duration
}

// UploadResumable sends the image at path over tus 1.0 (POST /uploads, then PATCHes of at most ChunkSize bytes,
// each streamed from the file) and answers as Upload does, from the Pixerve-* headers of the answer that brought the
// last byte. When the connection drops (or the gateway answers 409, 423 or 5xx) it asks the gateway for its offset
// (HEAD) and goes on from there.
func (c *Client) UploadResumable(ctx context.Context, path, token string, opts *ResumableOptions) (*UploadResponse, error) {
	k := c.begin(ctx, "UploadResumable")
	var o ResumableOptions
	if opts != nil {
		o = *opts
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = 4 << 20
	}
	retries := o.MaxRetries
	if retries == 0 {
		retries = 5
	} else if retries < 0 {
		retries = 0
	}
	delays := o.RetryDelays
	if len(delays) == 0 {
		delays = []time.Duration{0, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}
	}
	progress := func(sent, total int64) {
		if o.OnProgress != nil {
			o.OnProgress(sent, total)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()

	uploadURL := o.UploadURL
	var offset int64
	var last http.Header
	if uploadURL == "" {
		name := filepath.Base(path)
		metadata := "filename " + base64.StdEncoding.EncodeToString([]byte(name))
		if filetype := mime.TypeByExtension(filepath.Ext(name)); filetype != "" {
			metadata += ",filetype " + base64.StdEncoding.EncodeToString([]byte(filetype))
		}
		created, err := c.tus(k, http.MethodPost, c.BaseURL+"/uploads", token,
			map[string]string{"Upload-Length": strconv.FormatInt(size, 10), "Upload-Metadata": metadata}, nil, 0)
		if err != nil {
			return nil, err
		}
		base, _ := url.Parse(c.BaseURL + "/uploads")
		location, err := base.Parse(created.Get("Location"))
		if err != nil || created.Get("Location") == "" {
			return nil, fmt.Errorf("pixerve: the gateway created an upload at %q", created.Get("Location"))
		}
		uploadURL = location.String()
		if offset, err = uploadOffset(created, 0, size); err != nil {
			return nil, err
		}
		last = created
		if o.OnUploadURL != nil {
			o.OnUploadURL(uploadURL)
		}
	} else {
		head, err := c.tus(k, http.MethodHead, uploadURL, token, nil, nil, 0)
		if err != nil {
			return nil, err
		}
		if head.Get("Upload-Length") != strconv.FormatInt(size, 10) {
			return nil, fmt.Errorf("pixerve: %s is an upload of %s bytes, not of %d", uploadURL, head.Get("Upload-Length"), size)
		}
		if offset, err = uploadOffset(head, 0, size); err != nil {
			return nil, err
		}
		last = head
	}
	progress(offset, size)

	// best is the most the gateway has said it holds; failures counts those in a row since it grew.
	for failures, best := 0, offset; offset < size; {
		n := o.ChunkSize
		if n > size-offset {
			n = size - offset
		}
		body := &progressReader{r: io.NewSectionReader(f, offset, n), sent: offset, total: size, each: progress}
		patched, err := c.tus(k, http.MethodPatch, uploadURL, token,
			map[string]string{"Upload-Offset": strconv.FormatInt(offset, 10), "Content-Type": "application/offset+octet-stream"}, body, n)
		if err == nil {
			if offset, err = uploadOffset(patched, offset+1, size); err != nil {
				return nil, err
			}
			if last = patched; offset > best {
				failures, best = 0, offset
			}
			continue
		}
		var refused *Error
		isRefusal := errors.As(err, &refused)
		if ctx.Err() != nil || isRefusal && refused.Status != 409 && refused.Status != 423 && refused.Status < 500 {
			return nil, err
		}
		if failures++; failures > retries {
			return nil, err
		}
		delay := delays[len(delays)-1]
		if failures <= len(delays) {
			delay = delays[failures-1]
		}
		select {
		case <-ctx.Done():
			return nil, k.fail(uploadURL, ctx.Err())
		case <-time.After(delay):
		}
		head, herr := c.tus(k, http.MethodHead, uploadURL, token, nil, nil, 0)
		var gone *Error
		if errors.As(herr, &gone) {
			return nil, herr // the upload is gone (expired, refused): nothing to go on with
		} else if herr != nil {
			continue // still unreachable: the next failure
		}
		now, herr := uploadOffset(head, 0, size)
		if herr != nil {
			return nil, herr
		}
		if isRefusal && refused.Status == 409 && now == offset {
			return nil, err // no offset moved: the gateway refused the upload's last bytes
		}
		if now > best {
			failures, best = 0, now
		}
		offset, last = now, head
		progress(offset, size)
	}

	if last.Get("Pixerve-Hash") != "" {
		answer := &UploadResponse{Hash: last.Get("Pixerve-Hash"), JobID: last.Get("Pixerve-Job-Id"), Status: last.Get("Pixerve-Status"), ExpectedFiles: []string{}}
		for _, name := range strings.Split(last.Get("Pixerve-Expected-Files"), ",") {
			if name = strings.TrimSpace(name); name != "" {
				answer.ExpectedFiles = append(answer.ExpectedFiles, name)
			}
		}
		return answer, nil
	}
	// Complete, but the answer that said so carried no job (an upload found complete before any byte was sent).
	request, err := http.NewRequestWithContext(ctx, http.MethodGet, uploadURL, nil)
	if err != nil {
		return nil, err
	}
	request.Header.Set("Tus-Resumable", "1.0.0")
	request.Header.Set("Authorization", "Bearer "+token)
	request.Header.Set("Accept", "application/json")
	response, err := c.roundTrip(k, request)
	if err != nil {
		return nil, err
	}
	var answer UploadResponse
	if err := k.decode(uploadURL, response, &answer); err != nil {
		return nil, err
	}
	return &answer, nil
}

// tus sends one tus request to an absolute URL and answers its headers; a refusal is an *Error.
func (c *Client) tus(k call, method, target, token string, headers map[string]string, body io.Reader, length int64) (http.Header, error) {
	request, err := http.NewRequestWithContext(k.ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	request.ContentLength = length
	request.Header.Set("Tus-Resumable", "1.0.0")
	request.Header.Set("Authorization", "Bearer "+token)
	for name, value := range headers {
		request.Header.Set(name, value)
	}
	response, err := c.roundTrip(k, request)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	if _, err := io.Copy(io.Discard, response.Body); err != nil {
		return nil, k.fail(target, err)
	}
	return response.Header, nil
}

// uploadOffset reads Upload-Offset, which must lie in [least, size].
func uploadOffset(header http.Header, least, size int64) (int64, error) {
	offset, err := strconv.ParseInt(header.Get("Upload-Offset"), 10, 64)
	if err != nil || offset < least || offset > size {
		return 0, fmt.Errorf("pixerve: Upload-Offset %q where %d to %d was due", header.Get("Upload-Offset"), least, size)
	}
	return offset, nil
}

// progressReader reports each read's bytes to each as the transport takes them.
type progressReader struct {
	r           io.Reader
	sent, total int64
	each        func(sent, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.sent += int64(n)
		p.each(p.sent, p.total)
	}
	return n, err
}
