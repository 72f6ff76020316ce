package docker

import (
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"

	"github.com/dockerclient/docker/internal/jsonwire"
)

// AuthConfig is a registry credential as the daemon reads it from the
// X-Registry-Auth header. Set Username and Password, or IdentityToken.
// ResolveCredentials finds one in the docker CLI's configuration.
//
// It never prints its secrets: String, GoString and Format (every fmt verb,
// %v, %+v, %#v, %s, %d, %x included) show the user name and server address
// only, and so does LogValue for log/slog. Encode and JSON encoding do
// write the secrets, as they must.
type AuthConfig struct {
	Username      string `json:"username,omitempty"`
	Password      string `json:"password,omitempty"`
	Auth          string `json:"auth,omitempty"` // base64 of "user:password", as in config.json
	Email         string `json:"email,omitempty"`
	ServerAddress string `json:"serveraddress,omitempty"`
	IdentityToken string `json:"identitytoken,omitempty"`
	RegistryToken string `json:"registrytoken,omitempty"`
}

// Encode returns the X-Registry-Auth value: base64url (the URL-safe
// alphabet, which the daemon decodes; standard base64 breaks on credentials
// whose encoding holds '+' or '/') of the JSON credential.
func (a *AuthConfig) Encode() (string, error) {
	b, err := jsonwire.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("docker: encoding registry credential: %w", err)
	}
	return base64.URLEncoding.EncodeToString(b), nil
}

func (a AuthConfig) String() string {
	user := a.Username
	if user == "" && a.IdentityToken != "" {
		user = "<identity token>"
	}
	return fmt.Sprintf("AuthConfig{Username: %q, ServerAddress: %q, secrets redacted}", user, a.ServerAddress)
}

// GoString keeps %#v from printing secrets too.
func (a AuthConfig) GoString() string { return a.String() }

// Format prints the redacted String for every verb, so that no verb
// (%d or %x of the struct, say) reaches the fields.
func (a AuthConfig) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, a.String()) }

// LogValue keeps log/slog handlers, the JSON one included, from logging
// secrets.
func (a AuthConfig) LogValue() slog.Value {
	user := a.Username
	if user == "" && a.IdentityToken != "" {
		user = "<identity token>"
	}
	return slog.GroupValue(slog.String("username", user), slog.String("serveraddress", a.ServerAddress),
		slog.String("secrets", "redacted"))
}
