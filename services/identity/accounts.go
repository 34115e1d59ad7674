package identity

import (
	"context"
	"net/http"

	"github.com/google/uuid"
	ory "github.com/ory/kratos-client-go"
)

// The rest of an account's life through the admin API (issue 15, item 4): a county admin's
// password reset, the member's own password change, and a new name or phone.

// SetPassword replaces an identity's password. The admin API stores what it is given without
// Kratos' password policy (it is an import), so the caller checks the policy first
// (staff.CheckPassword). Kratos' update is a PUT: the identity is read first and written back
// whole, so its traits, state and metadata (the tenant) stay as they are.
func (k *Kratos) SetPassword(ctx context.Context, id uuid.UUID, password string) error {
	oi, resp, err := k.admin.IdentityAPI.GetIdentity(ctx, id.String()).Execute()
	if err != nil {
		return classify(resp, err)
	}
	traits, _ := oi.Traits.(map[string]any)
	state := "active"
	if oi.State != nil {
		state = *oi.State
	}
	pw := password
	body := ory.UpdateIdentityBody{
		SchemaId:       oi.SchemaId,
		State:          state,
		Traits:         traits,
		MetadataPublic: oi.MetadataPublic,
		MetadataAdmin:  oi.MetadataAdmin,
		Credentials: &ory.IdentityWithCredentials{Password: &ory.IdentityWithCredentialsPassword{
			Config: &ory.IdentityWithCredentialsPasswordConfig{Password: &pw},
		}},
	}
	if _, resp, err := k.admin.IdentityAPI.UpdateIdentity(ctx, id.String()).UpdateIdentityBody(body).Execute(); err != nil {
		return classify(resp, err)
	}
	return nil
}

// EndSessions ends every session of an identity in Kratos and forgets them here.
func (k *Kratos) EndSessions(ctx context.Context, id uuid.UUID) error {
	resp, err := k.admin.IdentityAPI.DeleteIdentitySessions(ctx, id.String()).Execute()
	k.forgetIdentity(id)
	if err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
		return classify(resp, err)
	}
	return nil
}

// SetTraits gives an identity a new phone (its sign-in identifier) and name. Kratos answers
// ErrIdentifierTaken when another identity signs in with the phone. Cached sessions carry the
// old traits, so they are forgotten here.
func (k *Kratos) SetTraits(ctx context.Context, id uuid.UUID, phone, name string) error {
	patch := []ory.JsonPatch{
		{Op: "replace", Path: "/traits/phone", Value: phone},
		{Op: "replace", Path: "/traits/name", Value: name},
	}
	_, resp, err := k.admin.IdentityAPI.PatchIdentity(ctx, id.String()).JsonPatch(patch).Execute()
	k.forgetIdentity(id)
	if err != nil {
		return classify(resp, err)
	}
	return nil
}

// VerifyPassword reports whether phone and password sign in, by a native login flow on the
// public API, as a sign-in would (the admin API has no password check). The session the
// check made is ended at once.
func (k *Kratos) VerifyPassword(ctx context.Context, phone, password string) (bool, error) {
	flow, resp, err := k.public.FrontendAPI.CreateNativeLoginFlow(ctx).Execute()
	if err != nil {
		return false, classify(resp, err)
	}
	body := ory.UpdateLoginFlowWithPasswordMethodAsUpdateLoginFlowBody(&ory.UpdateLoginFlowWithPasswordMethod{
		Method: "password", Identifier: phone, Password: password})
	ok, resp, err := k.public.FrontendAPI.UpdateLoginFlow(ctx).Flow(flow.Id).UpdateLoginFlowBody(body).Execute()
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusBadRequest {
			return false, nil // Kratos' "the provided credentials are invalid"
		}
		return false, classify(resp, err)
	}
	if ok.Session.Id != "" {
		if resp, err := k.admin.IdentityAPI.DisableSession(context.WithoutCancel(ctx), ok.Session.Id).Execute(); err != nil && (resp == nil || resp.StatusCode != http.StatusNotFound) {
			return true, classify(resp, err)
		}
	}
	return true, nil
}
