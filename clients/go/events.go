package pixerve

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Event types besides the statuses (a state event's Type is its status: pending, processing, completed, …).
const (
	EventSource     = "source"
	EventOutputDone = "output_done"
)

// Event is one event of a job's /events stream. Exactly one of Status, Source and Output is set for the types this
// client knows; Data is the event's JSON as sent, whatever its type.
type Event struct {
	Type   string
	Hash   string
	JobID  string
	Status *Status     // a state: Type is the status
	Source *SourceInfo // EventSource: the converter has described the source
	Output *OutputDone // EventOutputDone: one more output made, in expected_files order
	Data   json.RawMessage
}

// OutputDone is one output made (encoded, not yet stored): Done is its place in expected_files (1..Total).
type OutputDone struct {
	Name   string `json:"name"`
	Format string `json:"format"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bytes  int64  `json:"bytes"`
	Done   int    `json:"done"`
	Total  int    `json:"total"`
}

// EventStream reads a job's events as they come, as bufio.Scanner reads lines:
//
//	stream, err := client.Events(ctx, token, job)
//	if err != nil { … }
//	defer stream.Close()
//	for stream.Next() { event := stream.Event(); … }
//	if err := stream.Err(); err != nil { … }
//
// Next answers false after the final state (the gateway ends the stream there), at the stream's end, or on an error.
type EventStream struct {
	k        call
	target   string
	response *http.Response
	scanner  *bufio.Scanner
	event    Event
	err      error
	final    bool
}

// Events opens the job's event stream (GET /events): its state now, then each change of state, and the
// conversion's progress (the source, each output made). ctx bounds the whole stream.
func (c *Client) Events(ctx context.Context, token string, job Job) (*EventStream, error) {
	return c.events(c.begin(ctx, "Events"), token, job)
}

func (c *Client) events(k call, token string, job Job) (*EventStream, error) {
	target := c.BaseURL + "/events" + query(job)
	response, err := c.send(k, http.MethodGet, target, token, "text/event-stream")
	if err != nil {
		return nil, err
	}
	scanner := bufio.NewScanner(response.Body)
	scanner.Buffer(make([]byte, 64*1024), 4*1024*1024)
	return &EventStream{k: k, target: target, response: response, scanner: scanner}, nil
}

// Next reads the next event; false when there is none.
func (s *EventStream) Next() bool {
	if s.final || s.err != nil || s.scanner == nil {
		return false
	}
	var data []string
	eventType := ""
	for s.scanner.Scan() {
		line := strings.TrimRight(s.scanner.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "event:"):
			eventType = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			data = append(data, strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " "))
		case line == "" && len(data) > 0:
			event, err := parseEvent(eventType, []byte(strings.Join(data, "\n")))
			if err != nil {
				s.err = fmt.Errorf("pixerve: %s: the gateway's %q event is not the JSON expected: %w", s.k.op, eventType, err)
				s.Close()
				return false
			}
			s.event = event
			if event.Status != nil && IsFinal(event.Status.Status) {
				s.final = true
				s.Close()
			}
			return true
		}
	}
	s.err = s.k.fail(s.target, s.scanner.Err())
	s.Close()
	return false
}

// Event answers the event Next read.
func (s *EventStream) Event() Event { return s.event }

// Err answers what ended the stream early: nil after its end or a final state.
func (s *EventStream) Err() error { return s.err }

// Close ends the stream's request.
func (s *EventStream) Close() error {
	if s.response == nil {
		return nil
	}
	err := s.response.Body.Close()
	s.response, s.scanner = nil, nil
	return err
}

func parseEvent(eventType string, data []byte) (Event, error) {
	var ids struct {
		Hash  string `json:"hash"`
		JobID string `json:"job_id"`
	}
	if err := json.Unmarshal(data, &ids); err != nil {
		return Event{}, err
	}
	event := Event{Type: eventType, Hash: ids.Hash, JobID: ids.JobID, Data: json.RawMessage(data)}
	switch eventType {
	case EventSource:
		var v struct {
			Source *SourceInfo `json:"source"`
		}
		err := json.Unmarshal(data, &v)
		event.Source = v.Source
		return event, err
	case EventOutputDone:
		event.Output = &OutputDone{}
		return event, json.Unmarshal(data, event.Output)
	case "", StatusPending, StatusProcessing, StatusCompleted, StatusFailed, StatusCancelled:
		event.Status = &Status{}
		if err := json.Unmarshal(data, event.Status); err != nil {
			return event, err
		}
		event.Type = event.Status.Status
	}
	return event, nil
}
