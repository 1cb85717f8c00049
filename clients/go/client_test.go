package pixerve

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	mathrand "math/rand"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The behaviour table of issue 27 (typed errors, ordered specs, streaming, timeouts that fire, events, retry) against
// the real gateway of clients/test.sh, and the paused one at PIXERVE_HELD_URL whose jobs stay pending.

// heldClient is a client of the Pixerve whose silo is paused: every job it takes stays pending.
func heldClient(t *testing.T) *Client {
	held := os.Getenv("PIXERVE_HELD_URL")
	if held == "" {
		t.Fatal("PIXERVE_HELD_URL is unset: run clients/test.sh")
	}
	return New(held)
}

func TestSpecWritesFormatsInTheCallersOrder(t *testing.T) {
	speed := 0
	spec := Spec{
		Formats: []Format{
			{Name: "webp", Settings: Settings{Quality: 70, Speed: &speed}, Sizes: []Size{Side(240)}},
			{Name: "jpg", Sizes: []Size{Box(400, 300), {Width: 300, Height: 100, Fit: "cover", Gravity: "attention"}}},
			{Name: "gif", Sizes: []Size{Side(100)}},
		},
		DirectHost: true, SubDir: "u42", Priority: 5, Extra: map[string]interface{}{"app": "x"},
	}
	raw, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"formats":{"webp":{"settings":{"quality":70,"speed":0},"sizes":[[240]]},` +
		`"jpg":{"sizes":[[400,300],{"box":[300,100],"fit":"cover","gravity":"attention"}]},"gif":{"sizes":[[100]]}},` +
		`"directHost":true,"subDir":"u42","priority":5,"app":"x"}`
	if string(raw) != want {
		t.Fatalf("marshalled\n%s\nwant\n%s", raw, want)
	}
	if _, err := json.Marshal(Spec{Formats: spec.Formats, Extra: map[string]interface{}{"subDir": "x"}}); err == nil {
		t.Fatal("an Extra member shadowing a field was marshalled")
	}
}

func TestTheGatewayNamesOutputsInTheSpecsOrder(t *testing.T) {
	f := setup(t)
	// jpg before gif: a map claim would have sent gif first (sorted keys), and the outputs would have followed.
	spec := Spec{Formats: []Format{{Name: "webp", Sizes: []Size{Side(240)}}, {Name: "jpg", Sizes: []Size{Side(400)}}, {Name: "gif", Sizes: []Size{Side(100)}}},
		DirectHost: true, SubDir: subDir}
	token := f.token(t, spec)
	answer, err := f.client.Upload(f.ctx, File{Name: "ordered.jpg", Data: bytes.NewReader(f.unique())}, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	var tails []string
	for _, name := range answer.ExpectedFiles {
		tails = append(tails, strings.TrimPrefix(name, answer.Hash))
	}
	if want := []string{"_ordered_240_240_.webp", "_ordered_400_400_.jpg", "_ordered_100_100_.gif"}; !reflect.DeepEqual(tails, want) {
		t.Fatalf("expected files %q, want %q", tails, want)
	}
	final, err := f.client.WaitUntilFinal(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil || final.Status != StatusCompleted || len(final.Outputs) != 3 {
		t.Fatalf("job ended %+v %v", final, err)
	}
	for i, output := range final.Outputs {
		if output.Name != answer.ExpectedFiles[i] {
			t.Fatalf("output %d is %s, want %s", i, output.Name, answer.ExpectedFiles[i])
		}
	}
}

func TestNoAnswerIsANetworkError(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + listener.Addr().String()
	listener.Close() // nothing listens there now: the connection is refused
	s, err := New(closed).Status(context.Background(), "a.b.c", Job{Hash: "h"})
	var network *NetworkError
	var problem *Error
	var timeout *TimeoutError
	if s != nil || !errors.As(err, &network) || errors.As(err, &problem) || errors.As(err, &timeout) {
		t.Fatalf("answered %+v, %T %v", s, err, err)
	}
	if network.Op != "Status" || !strings.HasPrefix(network.URL, closed+"/status") || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("network error %+v: %v", network, err)
	}
}

// silentServer accepts connections and never answers; it tells when each connection was closed by the client.
func silentServer(t *testing.T) (string, <-chan time.Time) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listener.Close() })
	closed := make(chan time.Time, 16)
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = io.Copy(io.Discard, conn) // returns when the client closes its side
				closed <- time.Now()
			}()
		}
	}()
	return "http://" + listener.Addr().String(), closed
}

func TestACallsDeadlineIsATimeoutErrorAndCancelsTheRequest(t *testing.T) {
	base, closed := silentServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	started := time.Now()
	s, err := New(base).Status(ctx, "a.b.c", Job{Hash: "h"})
	elapsed := time.Since(started)
	var timeout *TimeoutError
	if s != nil || !errors.As(err, &timeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("answered %+v, %T %v", s, err, err)
	}
	if elapsed > 1300*time.Millisecond || timeout.Op != "Status" || timeout.Timeout < 250*time.Millisecond || timeout.Timeout > 350*time.Millisecond {
		t.Fatalf("after %v: %+v", elapsed, timeout)
	}
	select { // the request was given up, not left running
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("the connection stayed open after the timeout")
	}
	// The http.Client's own Timeout is a timeout too, with that bound.
	client := &Client{BaseURL: base, HTTP: &http.Client{Timeout: 300 * time.Millisecond}}
	_, err = client.Success(context.Background(), "a.b.c", Job{Hash: "h"})
	if !errors.As(err, &timeout) || !errors.Is(err, context.DeadlineExceeded) || timeout.Timeout != 300*time.Millisecond || timeout.Op != "Success" {
		t.Fatalf("with http.Client.Timeout: %T %v", err, err)
	}
}

func TestWaitUntilFinalOnAJobHeldPendingTimesOutInTime(t *testing.T) {
	f := setup(t)
	held := heldClient(t)
	token := f.token(t, job)
	answer, err := held.Upload(f.ctx, File{Name: "held.jpg", Data: bytes.NewReader(f.unique())}, token, nil)
	if err != nil || answer.Status != StatusPending {
		t.Fatalf("upload answered %+v %v", answer, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	type result struct {
		status  *Status
		err     error
		elapsed time.Duration
	}
	done := make(chan result, 1)
	started := time.Now()
	go func() {
		s, err := held.WaitUntilFinal(ctx, token, Job{Hash: answer.Hash})
		done <- result{s, err, time.Since(started)}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("WaitUntilFinal with a 2 s deadline was still waiting after 10 s")
	}
	var timeout *TimeoutError
	if r.status != nil || !errors.As(r.err, &timeout) || !errors.Is(r.err, context.DeadlineExceeded) {
		t.Fatalf("answered %+v, %T %v", r.status, r.err, r.err)
	}
	if r.elapsed < 2*time.Second || r.elapsed > 3*time.Second || timeout.Op != "WaitUntilFinal" || timeout.Timeout.Round(100*time.Millisecond) != 2*time.Second {
		t.Fatalf("after %v: %v", r.elapsed, timeout)
	}
	// The job really was pending all along: the timeout is not some other failure.
	if s, err := held.Status(f.ctx, token, Job{Hash: answer.Hash}); err != nil || s.Status != StatusPending {
		t.Fatalf("held job %+v %v", s, err)
	}
}

// meteredSource yields size bytes (the photo, then pseudo-random bytes) and notes what the connection had written
// when it yielded its last byte.
type meteredSource struct {
	head   []byte
	size   int64
	read   int64 // atomic
	random *mathrand.Rand
	hash   io.Writer
	onEnd  func()
}

func (s *meteredSource) Read(b []byte) (int, error) {
	read := atomic.LoadInt64(&s.read)
	if read >= s.size {
		return 0, io.EOF
	}
	if left := s.size - read; int64(len(b)) > left {
		b = b[:left]
	}
	n := len(b)
	if read < int64(len(s.head)) {
		n = copy(b, s.head[read:])
	} else {
		s.random.Read(b)
	}
	s.hash.Write(b[:n])
	if atomic.AddInt64(&s.read, int64(n)) == s.size {
		s.onEnd()
	}
	return n, nil
}

// meteredConn counts the bytes written to the socket.
type meteredConn struct {
	net.Conn
	written *int64
}

func (c meteredConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	atomic.AddInt64(c.written, int64(n))
	return n, err
}

func TestUploadStreamsA40MBSourceWithoutHoldingIt(t *testing.T) {
	f := setup(t)
	held := heldClient(t) // the job stays pending: nothing converts 40 MB on a shared machine
	const size = 40 << 20
	var written int64
	dialer := &net.Dialer{}
	held.HTTP = &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Second,
		DialContext: func(ctx context.Context, network, address string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, address)
			if err != nil {
				return nil, err
			}
			return meteredConn{conn, &written}, nil
		}}}
	hash := sha256.New()
	var writtenAtEnd int64 = -1
	source := &meteredSource{head: f.photo, size: size, random: mathrand.New(mathrand.NewSource(time.Now().UnixNano())), hash: hash,
		onEnd: func() { atomic.StoreInt64(&writtenAtEnd, atomic.LoadInt64(&written)) }}
	var mu sync.Mutex
	readAt := map[string]int64{} // what the source had yielded when each thing first happened
	note := func(what string) func() {
		return func() {
			mu.Lock()
			defer mu.Unlock()
			if _, seen := readAt[what]; !seen {
				readAt[what] = atomic.LoadInt64(&source.read)
			}
		}
	}
	trace := &httptrace.ClientTrace{WroteHeaders: note("headers"), Got100Continue: note("continue")}
	var lastSent, lastTotal int64
	answer, err := held.Upload(httptrace.WithClientTrace(f.ctx, trace), File{Name: "forty.jpg", Data: source}, f.token(t, job),
		&UploadOptions{OnProgress: func(sent, total int64) { lastSent, lastTotal = sent, total }})
	if err != nil {
		t.Fatal(err)
	}
	// The gateway hashed what arrived: every byte went through.
	if want := hex.EncodeToString(hash.Sum(nil)); answer.Hash != want || answer.Status != StatusPending {
		t.Fatalf("answered %+v for a source of SHA-256 %s", answer, want)
	}
	mu.Lock()
	defer mu.Unlock()
	headers, sentHeaders := readAt["headers"]
	asked, gotContinue := readAt["continue"]
	// The request went out, and the gateway asked for the body, before the source was read to its end (the
	// transport had read at most the pipe's first copy buffer).
	if !sentHeaders || !gotContinue || headers > 1<<20 || asked > 1<<20 {
		t.Fatalf("the source had yielded %d bytes when the headers went out (%v) and %d when the gateway asked for the body (%v)",
			headers, sentHeaders, asked, gotContinue)
	}
	// When the source yielded its last byte, nearly all of it was already on the socket: the body was never held.
	if atEnd := atomic.LoadInt64(&writtenAtEnd); atEnd < size-(2<<20) {
		t.Fatalf("the socket had taken %d bytes when the source of %d ended", atEnd, size)
	}
	if lastSent != size || lastTotal != -1 {
		t.Fatalf("progress ended at %d of %d", lastSent, lastTotal)
	}
	t.Logf("headers out after %d source bytes, 100 Continue after %d, socket at %d when the source ended", headers, asked, writtenAtEnd)
}

func TestBatchStreamsFilesFromDiskAndReaders(t *testing.T) {
	f := setup(t)
	dir := t.TempDir()
	var files []File
	var hashes []string
	for i, name := range []string{"one.jpg", "two.jpg", "three.jpg"} {
		data := f.unique()
		sum := sha256.Sum256(data)
		hashes = append(hashes, hex.EncodeToString(sum[:]))
		if i < 2 {
			path := filepath.Join(dir, name)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, File{Path: path}) // named after the path, opened and closed by the upload
		} else {
			files = append(files, File{Name: name, Data: io.MultiReader(bytes.NewReader(data))}) // no length: chunked
		}
	}
	var total int64
	batch, err := f.client.UploadBatch(f.ctx, files, f.token(t, job), &UploadOptions{OnProgress: func(_, t int64) { total = t }})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Jobs) != 3 || total != -1 {
		t.Fatalf("batch %+v, progress total %d", batch, total)
	}
	for i, entry := range batch.Jobs {
		if entry.File != []string{"one.jpg", "two.jpg", "three.jpg"}[i] || entry.Hash != hashes[i] || entry.Error != nil {
			t.Fatalf("entry %d: %+v (hash %s)", i, entry, hashes[i])
		}
	}
	// Every size known: one Content-Length, and the progress says the total.
	batch, err = f.client.UploadBatch(f.ctx, files[:2], f.token(t, job), &UploadOptions{OnProgress: func(_, t int64) { total = t }})
	if err != nil || len(batch.Jobs) != 2 || total != int64(2*len(f.photo)+32) {
		t.Fatalf("batch %+v %v, progress total %d", batch, err, total)
	}
}

func TestEventsStreamStatesAndProgressInOrder(t *testing.T) {
	f := setup(t)
	spec := Spec{Formats: []Format{{Name: "jpg", Sizes: []Size{Side(400), Side(200)}}, {Name: "webp", Sizes: []Size{Side(300)}}}, DirectHost: true, SubDir: subDir}
	token := f.token(t, spec)
	answer, err := f.client.Upload(f.ctx, File{Name: "events.jpg", Data: bytes.NewReader(f.unique())}, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := f.client.Events(f.ctx, token, Job{JobID: answer.JobID})
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Close()
	var types []string
	var outputs []OutputDone
	var last Event
	for stream.Next() {
		last = stream.Event()
		types = append(types, last.Type)
		if last.JobID != answer.JobID {
			t.Fatalf("event of job %q", last.JobID)
		}
		switch {
		case last.Output != nil:
			outputs = append(outputs, *last.Output)
		case last.Type == EventSource && (last.Source == nil || last.Source.Width != 1920):
			t.Fatalf("source event %s", last.Data)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if last.Status == nil || last.Status.Status != StatusCompleted || types[0] != StatusPending && types[0] != StatusProcessing {
		t.Fatalf("events %q, last %s", types, last.Data)
	}
	sources, firstSource, firstOutput := 0, -1, -1
	for i, kind := range types {
		if kind == EventSource {
			sources++
			firstSource = i
		} else if kind == EventOutputDone && firstOutput < 0 {
			firstOutput = i
		}
	}
	if sources != 1 || len(outputs) != 3 || firstOutput < firstSource {
		t.Fatalf("events %q: one source, then three outputs expected", types)
	}
	for i, output := range outputs {
		if output.Done != i+1 || output.Total != 3 || output.Name != answer.ExpectedFiles[i] || output.Name != last.Status.Outputs[i].Name || output.Bytes <= 0 {
			t.Fatalf("output_done %d: %+v; expected files %q", i, output, answer.ExpectedFiles)
		}
	}
}

func TestStatusIsTyped(t *testing.T) {
	f := setup(t)
	// The callback's address is loopback, which the gateway never calls: the webhook has a state and an error.
	spec := Spec{Formats: []Format{{Name: "jpg", Sizes: []Size{Side(400)}}}, DirectHost: true, SubDir: subDir, CompletionCallback: "http://127.0.0.1:9/hook"}
	token := f.token(t, spec)
	answer, err := f.client.Upload(f.ctx, File{Name: "typed.jpg", Data: bytes.NewReader(f.unique())}, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	final, err := f.client.WaitUntilFinal(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil || final.Status != StatusCompleted {
		t.Fatalf("job ended %+v %v", final, err)
	}
	if final.CreatedAt.IsZero() || final.UpdatedAt.Before(final.CreatedAt) || final.StartedAt == nil || final.FinishedAt == nil ||
		final.FinishedAt.Before(*final.StartedAt) || final.StartedAt.Before(final.CreatedAt) || time.Since(final.CreatedAt) > 10*time.Minute {
		t.Fatalf("timestamps %v %v %v %v", final.CreatedAt, final.UpdatedAt, final.StartedAt, final.FinishedAt)
	}
	if final.Attempts != 1 || final.Retries != 0 || len(final.History) != 1 || final.History[0].Outcome != "completed" || final.Webhook == nil {
		t.Fatalf("attempts %d, retries %d, history %+v, webhook %+v", final.Attempts, final.Retries, final.History, final.Webhook)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, err := f.client.Status(f.ctx, token, Job{Hash: answer.Hash})
		if err != nil {
			t.Fatal(err)
		}
		w := s.Webhook
		if w.Status != WebhookPending && w.Status != WebhookFailed {
			t.Fatalf("webhook %+v", w)
		}
		if w.Attempts >= 1 {
			if w.LastError == nil || *w.LastError == "" || w.DeliveredAt != nil {
				t.Fatalf("webhook %+v", w)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no webhook attempt in 20 s: %+v", w)
		}
		time.Sleep(200 * time.Millisecond)
	}
	record, err := f.client.Success(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil || record.Timestamp == nil || !record.Timestamp.Equal(*final.FinishedAt) || record.FileCount != 1 {
		t.Fatalf("success record %+v %v", record, err)
	}
}

func TestRetryRunsAFailedJobAgain(t *testing.T) {
	f := setup(t)
	truncated := filepath.Join(filepath.Dir(os.Getenv("PIXERVE_TEST_IMAGE")), "hostile", "truncated.jpg")
	token := f.token(t, job)
	answer, err := f.client.Upload(f.ctx, File{Path: truncated}, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	final, err := f.client.WaitUntilFinal(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil || final.Status != StatusFailed || final.Error == nil || !strings.HasPrefix(*final.Error, "source is not a decodable image") {
		t.Fatalf("job ended %+v %v", final, err)
	}
	record, err := f.client.Failures(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil || record.Status != "failed" || record.Timestamp == nil || record.Error != *final.Error || record.ErrorCategory != "decode" || record.JobData == nil {
		t.Fatalf("failure record %+v %v", record, err)
	}
	retried, err := f.client.Retry(f.ctx, token, Job{JobID: answer.JobID})
	if err != nil || retried.Status != StatusPending && retried.Status != StatusProcessing || retried.Retries != 1 || retried.Error != nil {
		t.Fatalf("retry answered %+v %v", retried, err)
	}
	again, err := f.client.WaitUntilFinal(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil || again.Status != StatusFailed || again.Attempts != final.Attempts+1 || again.Retries != 1 || len(again.History) != len(final.History)+1 {
		t.Fatalf("the retried job ended %+v %v", again, err)
	}
}
