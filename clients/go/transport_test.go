package pixerve

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// What the client puts on the wire, against loopback servers of the test's own (no gateway needed).

const answer = `{"hash":"h","job_id":"j","expected_files":[],"status":"pending"}`

// oddName has CR, LF and a header after them, quotes, a backslash, a percent sign, a space and non-ASCII.
const oddName = "evil\"\r\nX-Injected: 1\r\n\r\n\\ 100% \u00fc\u6f22.jpg"

// rawServer is a loopback HTTP/1.1 server that keeps each request's raw bytes and answers 200 with answer.
func rawServer(t *testing.T) (string, func() [][]byte) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listener.Close() })
	var mu sync.Mutex
	var requests [][]byte
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			var raw bytes.Buffer
			reader := bufio.NewReader(io.TeeReader(conn, &raw))
			length, expect := 0, false
			for {
				line, err := reader.ReadString('\n')
				if err != nil || line == "\r\n" {
					break
				}
				if m := regexp.MustCompile(`(?i)^content-length:\s*(\d+)`).FindStringSubmatch(line); m != nil {
					length, _ = strconv.Atoi(m[1])
				}
				expect = expect || regexp.MustCompile(`(?i)^expect:\s*100-continue`).MatchString(line)
			}
			if expect { // as Kestrel does once the body is read
				_, _ = io.WriteString(conn, "HTTP/1.1 100 Continue\r\n\r\n")
			}
			_, _ = io.CopyN(io.Discard, reader, int64(length))
			mu.Lock()
			requests = append(requests, raw.Bytes()[:raw.Len()-reader.Buffered()])
			mu.Unlock()
			fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s", len(answer), answer)
			conn.Close()
		}
	}()
	return "http://" + listener.Addr().String(), func() [][]byte { mu.Lock(); defer mu.Unlock(); return requests }
}

// partHeaders answers each part's header lines, from the raw request.
func partHeaders(raw []byte) [][]string {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	boundary := regexp.MustCompile(`boundary=([^\r\n;]+)`).FindSubmatch(raw[:end])[1]
	var headers [][]string
	for _, part := range bytes.Split(raw[end+4:], append([]byte("--"), boundary...))[1:] {
		if head := bytes.Index(part, []byte("\r\n\r\n")); head >= 0 {
			headers = append(headers, strings.Split(string(part[2:head]), "\r\n"))
		}
	}
	return headers
}

func TestAnOddFileNameGoesEncodedAndRoundTrips(t *testing.T) {
	base, requests := rawServer(t)
	jpeg := []byte{0xff, 0xd8, 0xff}
	if _, err := New(base).UploadBatch(context.Background(), []File{{Name: oddName, Data: bytes.NewReader(jpeg)}, {Name: "plain.jpg", Data: bytes.NewReader(jpeg)}}, "a.b.c", nil); err != nil {
		t.Fatal(err)
	}
	raw := requests()[0]
	if bytes.Contains(raw[:bytes.Index(raw, []byte("\r\n\r\n"))], []byte("X-Injected")) {
		t.Fatalf("a header came out of the file name:\n%s", raw)
	}
	parts := partHeaders(raw)
	if len(parts) != 2 {
		t.Fatalf("parts %q", parts)
	}
	// Two header lines per part: no CR or LF of the name split the header or started another.
	odd, plain := parts[0], parts[1]
	disposition := regexp.MustCompile(`^Content-Disposition: form-data; name="file"; filename="([\x20-\x7e]*)"; filename\*=UTF-8''([\x21-\x7e]*)$`)
	m := disposition.FindStringSubmatch(odd[0])
	if len(odd) != 2 || odd[1] != "Content-Type: application/octet-stream" || m == nil {
		t.Fatalf("odd part's header %q", odd)
	}
	for _, encoded := range m[1:] {
		if name, err := url.PathUnescape(encoded); err != nil || name != oddName {
			t.Fatalf("%q decodes to %q (%v), want %q", encoded, name, err, oddName)
		}
	}
	// A plain name goes as it is, without filename*.
	if !reflect.DeepEqual(plain, []string{`Content-Disposition: form-data; name="file"; filename="plain.jpg"`, "Content-Type: application/octet-stream"}) {
		t.Fatalf("plain part's header %q", plain)
	}
}

type seen struct {
	method, uri, authorization string
}

// recordingServer answers every request and records it; with redirectTo set, the answer is a 302 there.
func recordingServer(t *testing.T, redirectTo string) (*httptest.Server, func() []seen) {
	var mu sync.Mutex
	var requests []seen
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		requests = append(requests, seen{r.Method, r.RequestURI, r.Header.Get("Authorization")})
		mu.Unlock()
		if redirectTo != "" {
			http.Redirect(w, r, redirectTo+r.RequestURI, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(server.Close)
	return server, func() []seen { mu.Lock(); defer mu.Unlock(); return append([]seen(nil), requests...) }
}

func TestARedirectToAnotherOriginDoesNotCarryTheToken(t *testing.T) {
	// 127.0.0.1 on another port is another origin.
	elsewhere, elsewhereSeen := recordingServer(t, "")
	gateway, gatewaySeen := recordingServer(t, elsewhere.URL)
	client := New(gateway.URL)
	ctx := context.Background()
	if _, err := client.Status(ctx, "the.job.token", Job{Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Upload(ctx, File{Name: "a.jpg", Data: bytes.NewReader([]byte{0xff, 0xd8, 0xff})}, "the.job.token", nil); err != nil {
		t.Fatal(err)
	}
	if got, want := gatewaySeen(), []seen{{"GET", "/status?hash=h", "Bearer the.job.token"}, {"POST", "/upload", "Bearer the.job.token"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("the gateway saw %q, want %q", got, want)
	}
	// Followed (a 302 turns the POST into a GET), but without the token.
	if got, want := elsewhereSeen(), []seen{{"GET", "/status?hash=h", ""}, {"GET", "/upload", ""}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("the other origin saw %q, want %q", got, want)
	}
}
