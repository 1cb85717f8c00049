package pixerve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Spec is a token's job claim (docs/http-api.md, "The job claim"). The gateway produces the formats, and names them
// in expected_files, in the order the claim writes them; a Go map would write them in sorted-key order, so Formats is
// a slice and Spec writes it as a JSON object in the slice's order.
type Spec struct {
	Formats            []Format
	KeepOriginal       bool
	DirectHost         bool
	SubDir             string
	StorageKeys        map[string]string // backend (s3, gcs, sftp, direct) → credential key
	CompletionCallback string
	CallbackHeaders    map[string]string
	Priority           int
	// Extra holds claim members of your own: the converter ignores them, but they are part of the claim and so of
	// the job id. A name that is one of the fields above is refused.
	Extra map[string]interface{}
}

// Format is one output format and its sizes: Name is jpg (or jpeg), png, webp, avif, gif, or original (a byte-exact
// copy, whose Sizes are not read).
type Format struct {
	Name     string
	Settings Settings
	Sizes    []Size
}

// Settings are a format's encoder settings; the zero value of each leaves the gateway's default.
type Settings struct {
	Quality  int    `json:"quality,omitempty"`  // 1–100
	Speed    *int   `json:"speed,omitempty"`    // 0–10, higher is faster (0 is a setting, hence the pointer)
	Fit      string `json:"fit,omitempty"`      // inside (default), cover, fill
	Gravity  string `json:"gravity,omitempty"`  // centre (default), attention, entropy: what a cover crop keeps
	Animated *bool  `json:"animated,omitempty"` // false: an animated source gives its first frame only
}

// Size is a box the image is made to fit: Width×Height, or Width×Width when Height is 0. Fit and Gravity, when set,
// override the format's settings for this size alone.
type Size struct {
	Width, Height int
	Fit, Gravity  string
}

// Box is the size Width×Height; Side(s) is the square box s×s.
func Box(width, height int) Size { return Size{Width: width, Height: height} }

// Side is the square box s×s, written [s].
func Side(s int) Size { return Size{Width: s} }

// MarshalJSON writes [w, h], [s], or {"box": …, "fit": …, "gravity": …} when the size has a fit or gravity of its own.
func (s Size) MarshalJSON() ([]byte, error) {
	box := []int{s.Width}
	if s.Height != 0 {
		box = append(box, s.Height)
	}
	if s.Fit == "" && s.Gravity == "" {
		return json.Marshal(box)
	}
	return json.Marshal(struct {
		Box     []int  `json:"box"`
		Fit     string `json:"fit,omitempty"`
		Gravity string `json:"gravity,omitempty"`
	}{box, s.Fit, s.Gravity})
}

// MarshalJSON writes the claim with its formats in the slice's order.
func (s Spec) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"formats":{`)
	seen := map[string]bool{}
	for i, f := range s.Formats {
		if seen[f.Name] {
			return nil, fmt.Errorf("pixerve: format %q twice in the spec", f.Name)
		}
		seen[f.Name] = true
		if i > 0 {
			b.WriteByte(',')
		}
		name, _ := json.Marshal(f.Name)
		body, err := json.Marshal(struct {
			Settings *Settings `json:"settings,omitempty"`
			Sizes    []Size    `json:"sizes,omitempty"`
		}{settingsOrNil(f.Settings), f.Sizes})
		if err != nil {
			return nil, err
		}
		b.Write(name)
		b.WriteByte(':')
		b.Write(body)
	}
	b.WriteByte('}')
	member := func(name string, value interface{}) error {
		raw, err := json.Marshal(value)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, `,%q:`, name)
		b.Write(raw)
		return nil
	}
	known := []struct {
		name  string
		set   bool
		value interface{}
	}{
		{"keepOriginal", s.KeepOriginal, s.KeepOriginal},
		{"directHost", s.DirectHost, s.DirectHost},
		{"subDir", s.SubDir != "", s.SubDir},
		{"storageKeys", s.StorageKeys != nil, s.StorageKeys},
		{"completionCallback", s.CompletionCallback != "", s.CompletionCallback},
		{"callbackHeaders", s.CallbackHeaders != nil, s.CallbackHeaders},
		{"priority", s.Priority != 0, s.Priority},
	}
	names := map[string]bool{"formats": true}
	for _, m := range known {
		names[m.name] = true
		if m.set {
			if err := member(m.name, m.value); err != nil {
				return nil, err
			}
		}
	}
	extra := make([]string, 0, len(s.Extra))
	for name := range s.Extra {
		if names[name] {
			return nil, fmt.Errorf("pixerve: Spec.Extra names %q, a field of Spec", name)
		}
		extra = append(extra, name)
	}
	sort.Strings(extra)
	for _, name := range extra {
		if err := member(name, s.Extra[name]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func settingsOrNil(s Settings) *Settings {
	if s == (Settings{}) {
		return nil
	}
	return &s
}
