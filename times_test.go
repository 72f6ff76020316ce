package docker

import (
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
		err  string
	}{
		{"", time.Time{}, ""},
		{"0001-01-01T00:00:00Z", time.Time{}, ""},
		{"2024-05-06T07:08:09.123456789Z", want, ""},
		{"2024-05-06T09:08:09.123456789+02:00", want, ""},
		{"2024-05-06 07:08:09.123456789 +0000 UTC", want, ""},
		{"2024-05-06T07:08:09.123456789", want, ""},
		{"2024-05-06T07:08:09Z", want.Truncate(time.Second), ""},
		{"yesterday", time.Time{}, `"yesterday" is not a time`},
		{strings.Repeat("9", 1000), time.Time{}, "is not a time"},
	} {
		got, err := ParseTime(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || len(err.Error()) > 200 {
				t.Errorf("ParseTime(%.20q): %v, want an error saying %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestTimeParam(t *testing.T) {
	tm := time.Unix(1700000000, 5000)
	if got := TimeParam(tm); got != "1700000000.000005000" {
		t.Fatalf("TimeParam = %q", got)
	}
}
