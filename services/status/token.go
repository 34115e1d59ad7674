// Package status is the resident's side of an application: the public status lookup (by
// receipt number and the phone's last four digits, or by the QR token on every notice), the
// throttle on wrong tries, and 好差评 ratings with their rectification cases and indicators.
package status

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"github.com/google/uuid"

	"github.com/yichuang/yichuang/tenants"
)

// newToken is 128 random bits, URL-safe: unguessable, and short enough for a QR code.
func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("status: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Token returns the application's status token, creating it on first use. Notices call it
// for the QR code; it is stable afterwards, so a regenerated notice carries the same code.
//
// The lookup reads it first: every status lookup asks for the token, and an UPDATE that
// changes nothing still writes a new row version (WAL, the statistics trigger, the row lock a
// clerk's step then waits for). Only the first use writes; two first uses at once meet in the
// UPDATE, where coalesce keeps the one that committed first.
func Token(ctx context.Context, applicationID uuid.UUID) (string, error) {
	var token *string
	err := tenants.DB(ctx).NewRaw(`SELECT status_token FROM applications WHERE tenant_id = ? AND id = ?`,
		tenants.CurrentID(ctx), applicationID).Scan(ctx, &token)
	if err != nil {
		return "", fmt.Errorf("status token: %w", err)
	}
	if token != nil {
		return *token, nil
	}
	err = tenants.DB(ctx).NewRaw(`UPDATE applications SET status_token = coalesce(status_token, ?)
		WHERE tenant_id = ? AND id = ? RETURNING status_token`, newToken(), tenants.CurrentID(ctx), applicationID).Scan(ctx, &token)
	if err != nil {
		return "", fmt.Errorf("status token: %w", err)
	}
	return *token, nil
}

// URL is the public status page of a token: base is the public origin (YC_PUBLIC_URL).
func URL(base, countyCode, token string) string {
	return base + "/status/" + countyCode + "/" + token
}
