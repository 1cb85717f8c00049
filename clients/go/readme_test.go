package pixerve

import (
	"crypto/sha256"
	"encoding/hex"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The README is what a new user copies: its example runs as written, and its `go get` line fetches the module from
// a repository laid out as this one is (the module in clients/go, a tag clients/go/vX.Y.Z).

// readme answers the README's Go block and the arguments of its `go get` line.
func readme(t *testing.T) (string, []string) {
	raw, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```go\n(.*?)```").FindAllStringSubmatch(string(raw), -1)
	get := regexp.MustCompile("(?m)^go get (.+)$").FindStringSubmatch(string(raw))
	if len(blocks) != 1 || get == nil {
		t.Fatalf("README.md has %d Go blocks (1 expected) and go get line %q", len(blocks), get)
	}
	return blocks[0][1], strings.Fields(get[1])
}

// run runs a command in dir with env added to this process's environment, and answers its output.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	command := exec.Command(name, args...)
	command.Dir = dir
	command.Env = append(os.Environ(), env...)
	out, err := command.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTheReadmeExampleRunsAsWritten(t *testing.T) {
	f := setup(t)
	example, _ := readme(t)
	if formatted, err := format.Source([]byte(example)); err != nil || string(formatted) != example {
		t.Fatalf("the README's example is not gofmt's (%v):\n%s", err, formatted)
	}
	module, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write(t, filepath.Join(dir, "main.go"), example)
	write(t, filepath.Join(dir, "go.mod"), "module example.com/readme\n\ngo 1.19\n\nrequire github.com/pixerve/pixerve/clients/go v0.0.0\n\n"+
		"replace github.com/pixerve/pixerve/clients/go => "+module+"\n")
	photo := f.unique()
	write(t, filepath.Join(dir, "photo.jpg"), string(photo))
	sum := sha256.Sum256(photo)
	// PIXERVE_URL and PIXERVE_JWT_SECRET come from clients/test.sh, as the example reads them.
	out := run(t, dir, []string{"GOFLAGS=-mod=mod", "GOPROXY=off"}, "go", "run", ".", "photo.jpg")
	if want := "completed " + hex.EncodeToString(sum[:]) + "_photo_400_400_.webp 400\n"; out != want {
		t.Fatalf("the example printed %q, want %q", out, want)
	}
}

func TestTheModuleIsGoGettableFromTheRepository(t *testing.T) {
	example, get := readme(t)
	root := t.TempDir()
	// A repository shaped as github.com/pixerve/pixerve: this module's files in clients/go, released by a tag.
	repo := filepath.Join(root, "pixerve")
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, entry := range entries {
		if entry.Type().IsRegular() {
			raw, err := os.ReadFile(entry.Name())
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(repo, "clients", "go", entry.Name()), string(raw))
		}
	}
	write(t, filepath.Join(repo, "README.md"), "# Pixerve\n")
	git := []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + filepath.Join(root, "gitconfig"), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com"}
	// The go command asks git for https://github.com/pixerve/pixerve; git's insteadOf hands it this repository, so
	// nothing leaves the machine and the go command takes its real path (tag lookup, module in a subdirectory).
	write(t, filepath.Join(root, "gitconfig"), "[url \"file://"+repo+"\"]\n\tinsteadOf = https://github.com/pixerve/pixerve\n[protocol \"file\"]\n\tallow = always\n")
	run(t, repo, git, "git", "init", "-q")
	run(t, repo, git, "git", "add", "-A")
	run(t, repo, git, "git", "commit", "-q", "-m", "release")
	run(t, repo, git, "git", "tag", "clients/go/v0.1.0")

	consumer := filepath.Join(root, "consumer")
	write(t, filepath.Join(consumer, "go.mod"), "module example.com/consumer\n\ngo 1.19\n")
	write(t, filepath.Join(consumer, "main.go"), example)
	env := append(git, "GOPROXY=direct", "GOSUMDB=off", "GOPRIVATE=github.com/pixerve", "GOFLAGS=-modcacherw",
		"GOPATH="+filepath.Join(root, "gopath"), "GOMODCACHE="+filepath.Join(root, "gopath", "pkg", "mod"))
	if get[0] != "github.com/pixerve/pixerve/clients/go@latest" {
		t.Fatalf("the README's go get line names %q", get)
	}
	run(t, consumer, env, "go", append([]string{"get"}, get...)...)
	mod, err := os.ReadFile(filepath.Join(consumer, "go.mod"))
	if err != nil || !strings.Contains(string(mod), "github.com/pixerve/pixerve/clients/go v0.1.0") {
		t.Fatalf("go.mod after go get:\n%s", mod)
	}
	run(t, consumer, env, "go", "build", "-o", filepath.Join(root, "example"), ".")
}
