-- Issue 15, item 4: accounts have a whole life. A county admin's password reset gives the
-- member a one-time password; until the member chooses their own, the API refuses every
-- operation but the own-password change, "me" and sign-out (403 password_change_required).
ALTER TABLE memberships
    ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
