package pixerve

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"image/jpeg"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Against a real gateway: PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE (clients/test.sh sets them).

const subDir = "go-client"

var job = map[string]interface{}{"formats": map[string]interface{}{"jpg": map[string]interface{}{"sizes": [][]int{{400}}}}, "directHost": true, "subDir": subDir}

type fixture struct {
	client *Client
	secret string
	photo  []byte
	ctx    context.Context
}

func setup(t *testing.T) *fixture {
	url, secret, image := os.Getenv("PIXERVE_URL"), os.Getenv("PIXERVE_JWT_SECRET"), os.Getenv("PIXERVE_TEST_IMAGE")
	// Without a gateway these tests fail rather than skip, so a run that reached none of them cannot read as a pass;
	// PIXERVE_SKIP_GATEWAY_TESTS=1 skips them on purpose.
	if url == "" || secret == "" || image == "" {
		if os.Getenv("PIXERVE_SKIP_GATEWAY_TESTS") == "1" {
			t.Skip("PIXERVE_SKIP_GATEWAY_TESTS=1")
		}
		t.Fatal("PIXERVE_URL, PIXERVE_JWT_SECRET and PIXERVE_TEST_IMAGE are unset: run clients/test.sh, " +
			"or set PIXERVE_SKIP_GATEWAY_TESTS=1 to skip the tests that need a gateway")
	}
	photo, err := os.ReadFile(image)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return &fixture{New(url), secret, photo, ctx}
}

func (f *fixture) token(t *testing.T, spec interface{}) string {
	token, err := MintToken(f.secret, spec, 10*time.Minute, "go-tests")
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// unique: other bytes, the same picture; decoders ignore what follows the JPEG end marker.
func (f *fixture) unique() []byte {
	extra := make([]byte, 16)
	_, _ = rand.Read(extra)
	return append(append([]byte{}, f.photo...), extra...)
}

func problemOf(t *testing.T, err error) *Problem {
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("expected a *Problem, got %v", err)
	}
	return p
}

func TestUploadWaitDownload(t *testing.T) {
	f := setup(t)
	token := f.token(t, job)
	answer, err := f.client.Upload(f.ctx, File{Name: "photo-1920x1280-canon.jpg", Data: bytes.NewReader(f.photo)}, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(answer.JobID) != 64 || len(answer.ExpectedFiles) != 1 || answer.ExpectedFiles[0] != answer.Hash+"_photo-1920x1280-canon_400_400_.jpg" {
		t.Fatalf("unexpected answer %+v", answer)
	}
	final, err := f.client.WaitUntilFinal(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != StatusCompleted || final.Files[0].Width != 400 {
		t.Fatalf("job ended %+v", final)
	}
	data, err := f.client.Download(f.ctx, subDir, answer.ExpectedFiles[0])
	if err != nil {
		t.Fatal(err)
	}
	config, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || config.Width != 400 || config.Height != 267 {
		t.Fatalf("downloaded %dx%d (%v), want 400x267", config.Width, config.Height, err)
	}
	if r, err := f.client.Success(f.ctx, token, Job{Hash: answer.Hash}); err != nil || r.Status != "success" || r.FileCount != 1 {
		t.Fatalf("success record %+v %v", r, err)
	}
	if r, err := f.client.Failures(f.ctx, token, Job{JobID: answer.JobID}); err != nil || r.Status != "success" {
		t.Fatalf("failure record %+v %v", r, err)
	}
	again, err := f.client.Upload(f.ctx, File{Name: "photo-1920x1280-canon.jpg", Data: bytes.NewReader(f.photo)}, token, &UploadOptions{FormToken: true})
	if err != nil || again.JobID != answer.JobID || again.Status != StatusCompleted {
		t.Fatalf("form-token upload %+v %v", again, err)
	}
	// Only a failed job can be retried: a refusal, and no value beside it.
	if s, err := f.client.Retry(f.ctx, token, Job{Hash: answer.Hash}); s != nil || problemOf(t, err).Status != 409 {
		t.Fatalf("retry of a completed job answered %+v %v", s, err)
	}
}

func TestStatusDescribesTheSourceAndEveryOutput(t *testing.T) {
	f := setup(t)
	// Three boxes, three fits: inside keeps the 3:2 aspect, fill stretches to the box, cover crops to it.
	spec := map[string]interface{}{
		"formats": map[string]interface{}{
			"jpg":  map[string]interface{}{"sizes": []interface{}{[]int{400}, map[string]interface{}{"box": []int{300, 100}, "fit": "fill"}}},
			"webp": map[string]interface{}{"settings": map[string]interface{}{"fit": "cover"}, "sizes": [][]int{{240, 240}}},
		},
		"directHost": true, "subDir": subDir,
	}
	token := f.token(t, spec)
	answer, err := f.client.Upload(f.ctx, File{Name: "photo-1920x1280-canon.jpg", Data: bytes.NewReader(f.photo)}, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	final, err := f.client.WaitUntilFinal(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != StatusCompleted {
		t.Fatalf("job ended %+v", final)
	}
	source := final.Source
	if source == nil || source.Format != "jpg" || source.Width != 1920 || source.Height != 1280 || source.HasAlpha || source.Frames != 1 {
		t.Fatalf("source %+v", source)
	}
	if source.DominantColor == nil || !regexp.MustCompile(`^#[0-9a-f]{6}$`).MatchString(*source.DominantColor) {
		t.Fatalf("dominant colour %v", source.DominantColor)
	}
	if thumb, err := base64.StdEncoding.DecodeString(source.ThumbHash); err != nil || len(thumb) < 5 {
		t.Fatalf("thumbhash %q: %d bytes, %v", source.ThumbHash, len(thumb), err)
	}
	if len(source.BlurHash) != 28 { // 4×3 components: 1 + 1 + 4 + 2 × 11 characters
		t.Fatalf("blurhash %q", source.BlurHash)
	}
	want := map[string][3]interface{}{ // by the name's tail ({H}_{W}, the box): format, width, height
		"_photo-1920x1280-canon_400_400_.jpg":  {"jpg", 400, 267},
		"_photo-1920x1280-canon_100_300_.jpg":  {"jpg", 300, 100},
		"_photo-1920x1280-canon_240_240_.webp": {"webp", 240, 240},
	}
	if len(final.Outputs) != len(want) || len(final.ExpectedFiles) != len(want) {
		t.Fatalf("outputs %+v for expected files %v", final.Outputs, final.ExpectedFiles)
	}
	for i, output := range final.Outputs {
		expected, known := want[strings.TrimPrefix(output.Name, answer.Hash)]
		if !known || output.Name != final.ExpectedFiles[i] {
			t.Fatalf("output %d is %q; expected files %v", i, output.Name, final.ExpectedFiles)
		}
		if got := [3]interface{}{output.Format, output.Width, output.Height}; got != expected {
			t.Fatalf("%s is %v, want %v", output.Name, got, expected)
		}
		location := OutputLocation{"direct", "/files/" + subDir + "/" + output.Name}
		if output.Bytes <= 0 || len(output.Locations) != 1 || output.Locations[0] != location {
			t.Fatalf("%s: %d bytes at %+v", output.Name, output.Bytes, output.Locations)
		}
	}
	record, err := f.client.Success(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil || record.JobData == nil || !reflect.DeepEqual(record.JobData.Source, final.Source) || !reflect.DeepEqual(record.JobData.Outputs, final.Outputs) {
		t.Fatalf("success record %+v %v", record, err)
	}
}

func TestBatchUploadAnswersAnEntryPerFile(t *testing.T) {
	f := setup(t)
	// The gateway names each file as it read it: a name with CR, LF, quotes and non-ASCII comes back as sent.
	batch, err := f.client.UploadBatch(f.ctx, []File{{Name: "a.jpg", Data: bytes.NewReader(f.unique())}, {Name: "notes.txt", Data: strings.NewReader("not an image")},
		{Name: oddName, Data: strings.NewReader("not an image either")}}, f.token(t, job), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Jobs) != 3 || batch.Jobs[0].File != "a.jpg" || batch.Jobs[0].Status != StatusPending ||
		batch.Jobs[1].File != "notes.txt" || batch.Jobs[1].Error == nil || batch.Jobs[1].Error.Status != 415 ||
		batch.Jobs[2].File != oddName || batch.Jobs[2].Error == nil || batch.Jobs[2].Error.Status != 415 {
		t.Fatalf("unexpected batch %+v", batch)
	}
}

func TestCancelAPendingJob(t *testing.T) {
	f := setup(t)
	token := f.token(t, job)
	// One conversion at a time: a slower job first keeps the next one pending long enough to cancel it.
	slow := f.token(t, map[string]interface{}{"formats": map[string]interface{}{"webp": map[string]interface{}{"sizes": [][]int{{1920}}}}, "directHost": true, "subDir": subDir})
	for attempt := 0; attempt < 8; attempt++ {
		if _, err := f.client.Upload(f.ctx, File{Name: "slow.jpg", Data: bytes.NewReader(f.unique())}, slow, nil); err != nil {
			t.Fatal(err)
		}
		pending, err := f.client.Upload(f.ctx, File{Name: "pending.jpg", Data: bytes.NewReader(f.unique())}, token, nil)
		if err != nil {
			t.Fatal(err)
		}
		cancelled, err := f.client.Cancel(f.ctx, token, Job{Hash: pending.Hash})
		if err != nil {
			if problemOf(t, err).Status == 409 {
				continue
			}
			t.Fatal(err)
		}
		if cancelled.Status != StatusCancelled || cancelled.Error == nil || *cancelled.Error != "cancelled by request" {
			t.Fatalf("cancel answered %+v", cancelled)
		}
		if r, err := f.client.Failures(f.ctx, token, Job{Hash: pending.Hash}); err != nil || r.Status != "not_found" {
			t.Fatalf("failure record %+v %v", r, err)
		}
		return
	}
	t.Fatal("never caught a job still pending")
}

func TestBadTokenIs401(t *testing.T) {
	f := setup(t)
	bad, _ := MintToken("another-secret-that-is-long-enough-0123456789", job, time.Minute, "")
	answer, err := f.client.Upload(f.ctx, File{Name: "p.jpg", Data: bytes.NewReader(f.photo)}, bad, nil)
	if p := problemOf(t, err); p.Status != 401 || !strings.Contains(p.Detail, "signature") || answer != nil {
		t.Fatalf("got %+v with %v", answer, p)
	}
}

// refusedEveryTime uploads size bytes under a token of another secret runs times: what each attempt ended in.
func (f *fixture) refusedEveryTime(client *Client, size, runs int) []string {
	bad, _ := MintToken("another-secret-that-is-long-enough-0123456789", job, time.Minute, "")
	data := make([]byte, size)
	copy(data, []byte{0xff, 0xd8, 0xff, 0xe0}) // the gateway refuses the token before it looks at the bytes
	_, _ = rand.Read(data[4:])
	var outcomes []string
	for run := 0; run < runs; run++ {
		_, err := client.Upload(f.ctx, File{Name: "big.jpg", Data: bytes.NewReader(data)}, bad, nil)
		var p *Problem
		switch {
		case err == nil:
			outcomes = append(outcomes, "accepted")
		case errors.As(err, &p) && p.Status == 401 && strings.Contains(p.Detail, "signature"):
			outcomes = append(outcomes, "401")
		default: // a transport error instead of the answer
			outcomes = append(outcomes, err.Error())
		}
	}
	return outcomes
}

// checkEvery401 runs refusedEveryTime with the default client (the body waits for 100 Continue) and with one whose
// Transport sends the body at once (the write races the gateway's answer and close).
func checkEvery401(t *testing.T, size int) {
	f := setup(t)
	clients := map[string]*Client{"default": f.client, "no ExpectContinueTimeout": {BaseURL: f.client.BaseURL, HTTP: &http.Client{Transport: &http.Transport{}}}}
	for name, client := range clients {
		outcomes := f.refusedEveryTime(client, size, 20)
		surfaced := 0
		for _, o := range outcomes {
			if o == "401" {
				surfaced++
			}
		}
		if surfaced != len(outcomes) {
			t.Errorf("%s client: %d of %d surfaced the 401: %q", name, surfaced, len(outcomes), outcomes)
		}
	}
}

func TestBadTokenIs401ForA16MBUpload20Times(t *testing.T) { checkEvery401(t, 16<<20) }

func TestBadTokenIs401ForA700KBUpload20Times(t *testing.T) { checkEvery401(t, 700<<10) }

func TestBadSpecIs400NamingTheField(t *testing.T) {
	f := setup(t)
	token := f.token(t, map[string]interface{}{"formats": map[string]interface{}{"jpg": map[string]interface{}{"sizes": [][]int{{0}}}}, "directHost": true})
	_, err := f.client.Upload(f.ctx, File{Name: "p.jpg", Data: bytes.NewReader(f.photo)}, token, nil)
	if p := problemOf(t, err); p.Status != 400 || p.Field != "formats.jpg.sizes[0]" {
		t.Fatalf("got %v", p)
	}
}

func TestAnotherTokensJobIs404(t *testing.T) {
	f := setup(t)
	mine, err := f.client.Upload(f.ctx, File{Name: "mine.jpg", Data: bytes.NewReader(f.unique())}, f.token(t, job), nil)
	if err != nil {
		t.Fatal(err)
	}
	stranger := f.token(t, map[string]interface{}{"formats": job["formats"], "directHost": true, "subDir": "someone-else"})
	s, err := f.client.Status(f.ctx, stranger, Job{Hash: mine.Hash})
	if p := problemOf(t, err); p.Status != 404 || s != nil {
		t.Fatalf("got %+v with %v", s, p)
	}
}
