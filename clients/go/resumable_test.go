package pixerve

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// Resumable uploads (tus 1.0 on /uploads) against the real gateway. A drop is made by clients/cut-proxy.py, a
// loopback proxy that resets the connection once in the middle of a PATCH body.

const (
	chunk = 256 << 10
	size  = 3<<20 + 12345    // a few MB in 13 chunks, the last one short
	cut   = 5*chunk + 100000 // in the middle of the sixth chunk
)

// proxied is one request as the cut proxy forwarded it.
type proxied struct {
	Method string `json:"method"`
	Offset int64  `json:"offset"`
	Length int64  `json:"length"`
	Sent   int64  `json:"sent"`
	Cut    bool   `json:"cut"`
	Error  string `json:"error"`
}

// cutProxy starts clients/cut-proxy.py in front of upstream: it resets the connection after cutAfter PATCH body
// bytes, once. It answers the proxy's URL and a function reading the requests it forwarded.
func cutProxy(t *testing.T, upstream string, cutAfter int) (string, func() []proxied) {
	log := filepath.Join(t.TempDir(), "requests.jsonl")
	command := exec.Command("python3", filepath.Join("..", "cut-proxy.py"), upstream, fmt.Sprint(cutAfter), log)
	stdin, err := command.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := command.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := command.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); _ = command.Wait() }) // the proxy ends when its stdin closes
	port, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return "http://127.0.0.1:" + port[:len(port)-1], func() []proxied {
		raw, err := os.ReadFile(log)
		if err != nil {
			t.Fatal(err)
		}
		var requests []proxied
		scanner := bufio.NewScanner(bytes.NewReader(raw))
		for scanner.Scan() {
			var r proxied
			if err := json.Unmarshal(scanner.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			requests = append(requests, r)
		}
		return requests
	}
}

// photoFile writes the photo padded with random bytes to size (decoders ignore what follows the JPEG end marker: a
// new hash) and answers its path and SHA-256.
func (f *fixture) photoFile(t *testing.T) (string, string) {
	data := make([]byte, size)
	copy(data, f.photo)
	_, _ = rand.Read(data[len(f.photo):])
	path := filepath.Join(t.TempDir(), "resumable-photo.jpg")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return path, hex.EncodeToString(sum[:])
}

func (f *fixture) checkCompleted(t *testing.T, token string, answer *UploadResponse, sha string) {
	t.Helper()
	if answer.Hash != sha || len(answer.JobID) != 64 || !reflect.DeepEqual(answer.ExpectedFiles, []string{sha + "_resumable-photo_400_400_.jpg"}) {
		t.Fatalf("answered %+v for the file of SHA-256 %s", answer, sha)
	}
	final, err := f.client.WaitUntilFinal(f.ctx, token, Job{Hash: answer.Hash})
	if err != nil || final.Status != StatusCompleted || final.JobID != answer.JobID {
		t.Fatalf("job ended %+v %v", final, err)
	}
}

// checkResumed: one upload created, one cut, a HEAD after it, and the next PATCH at an offset the server had; at most
// the cut chunk's bytes were sent again (none skipped: the hash checks that).
func checkResumed(t *testing.T, requests []proxied) {
	t.Helper()
	posts, cuts, resumed, heads := 0, -1, -1, 0
	var patched int64
	for i, r := range requests {
		switch {
		case r.Error != "":
			t.Fatalf("the proxy could not follow %s: %s", r.Method, r.Error)
		case r.Method == "POST":
			posts++
		case r.Cut:
			if cuts >= 0 {
				t.Fatalf("cut twice: %+v", requests)
			}
			cuts = i
		case r.Method == "HEAD" && cuts >= 0:
			heads++
		case r.Method == "PATCH" && cuts >= 0 && resumed < 0:
			resumed = i
		}
		if r.Method == "PATCH" {
			patched += r.Sent
			if r.Length > chunk {
				t.Fatalf("a PATCH of %d bytes, more than a chunk", r.Length)
			}
		}
	}
	if posts != 1 || cuts < 0 || heads == 0 || resumed < 0 {
		t.Fatalf("%d uploads created, cut at request %d, %d HEADs after it, resumed at request %d: %+v", posts, cuts, heads, resumed, requests)
	}
	c, r := requests[cuts], requests[resumed]
	if r.Offset < c.Offset || r.Offset > c.Offset+c.Sent {
		t.Fatalf("cut at %d after %d bytes of its chunk, resumed at %d", c.Offset, c.Sent, r.Offset)
	}
	resent := patched - size
	if resent < 0 || resent > c.Sent {
		t.Fatalf("re-sent %d bytes; the cut chunk got %d through", resent, c.Sent)
	}
	t.Logf("cut at %d after %d bytes of its chunk; resumed at %d; %d bytes sent again", c.Offset, c.Sent, r.Offset, resent)
}

func TestUploadResumableInSmallChunks(t *testing.T) {
	f := setup(t)
	path, sha := f.photoFile(t)
	token := f.token(t, job)
	var progress []int64
	answer, err := f.client.UploadResumable(f.ctx, path, token, &ResumableOptions{ChunkSize: chunk, OnProgress: func(sent, total int64) {
		if total != size {
			t.Errorf("progress total %d", total)
		}
		progress = append(progress, sent)
	}})
	if err != nil {
		t.Fatal(err)
	}
	f.checkCompleted(t, token, answer, sha)
	if progress[0] != 0 || progress[len(progress)-1] != size || !sort.SliceIsSorted(progress, func(i, j int) bool { return progress[i] < progress[j] }) || len(progress) < size/(64<<10) {
		t.Fatalf("progress %v", progress)
	}
}

func TestUploadResumableGoesOnFromTheServersOffsetAfterADroppedConnection(t *testing.T) {
	f := setup(t)
	path, sha := f.photoFile(t)
	proxy, requests := cutProxy(t, f.client.BaseURL, cut)
	token := f.token(t, job)
	var last int64
	answer, err := New(proxy).UploadResumable(f.ctx, path, token, &ResumableOptions{ChunkSize: chunk, OnProgress: func(sent, _ int64) { last = sent }})
	if err != nil {
		t.Fatal(err)
	}
	if last != size {
		t.Fatalf("progress ended at %d", last)
	}
	checkResumed(t, requests())
	f.checkCompleted(t, token, answer, sha)
}

func TestAnUploadLeftUnfinishedGoesOnFromItsURL(t *testing.T) {
	f := setup(t)
	path, sha := f.photoFile(t)
	proxy, requests := cutProxy(t, f.client.BaseURL, cut)
	var urls []string
	_, err := New(proxy).UploadResumable(f.ctx, path, f.token(t, job), &ResumableOptions{ChunkSize: chunk, MaxRetries: -1,
		OnUploadURL: func(u string) { urls = append(urls, u) }})
	var problem *Problem
	if err == nil || errors.As(err, &problem) || len(urls) != 1 {
		t.Fatalf("without retries the drop ended the call with %v; upload URLs %q", err, urls)
	}
	// Later, with a new token of the same sub and job claim, through the same proxy (it cuts no more).
	token := f.token(t, job)
	answer, err := New(proxy).UploadResumable(f.ctx, path, token, &ResumableOptions{ChunkSize: chunk, UploadURL: urls[0]})
	if err != nil {
		t.Fatal(err)
	}
	checkResumed(t, requests())
	f.checkCompleted(t, token, answer, sha)
}
