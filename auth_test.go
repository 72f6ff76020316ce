package docker

import (
	"strings"
	"testing"
)

func TestAuthConfigNeverPrintsSecrets(t *testing.T) {
	a := AuthConfig{Username: "alice", Password: "hunter2", IdentityToken: "tok-123", Auth: "YWxpY2U6aHVudGVyMg=="}
	for _, s := range []string{a.String(), a.GoString()} {
		for _, secret := range []string{"hunter2", "tok-123", "YWxpY2U6aHVudGVyMg=="} {
			if strings.Contains(s, secret) {
				t.Fatalf("%q leaks %q", s, secret)
			}
		}
	}
}
