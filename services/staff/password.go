package staff

import (
	"bufio"
	"crypto/rand"
	_ "embed"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/yichuang/yichuang/services/problem"
)

// The app's password policy (issue 15, item 4), checked wherever a password is chosen: an
// account's creation, a county admin's reset, the member's own change. Kratos checks length
// and similarity on its own flows only; a password set through its admin API is stored as
// given, so this is the rule that holds. Kratos' breached-password lookup (haveibeenpwned) is
// off (infra/kratos/kratos.yml.tmpl: a county network often has no internet), which is why
// the common passwords are listed here instead.

//go:embed weak_passwords.txt
var weakList string

// weak holds the common passwords, lower-cased.
var weak = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(weakList))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// MaxPasswordLength is bcrypt's limit, in bytes (Kratos hashes with bcrypt).
const MaxPasswordLength = 72

// CheckPassword judges a password for the account signing in with phone, and names the
// first fault as a field at location (e.g. "body.password"); nil when it is acceptable.
func CheckPassword(location, password, phone string) *problem.Field {
	fault := func(zh, en string) *problem.Field {
		return &problem.Field{Location: location, Message: zh, MessageEn: en}
	}
	switch {
	case len(password) < MinPasswordLength || len(password) > MaxPasswordLength:
		return fault("密码须为 10 至 72 个字符", "the password must be 10 to 72 characters")
	case !utf8.ValidString(password):
		return fault("密码含有无效字符", "the password contains invalid characters")
	case phone != "" && strings.Contains(password, phone):
		return fault("密码不能包含手机号", "the password must not contain the phone number")
	case weak[strings.ToLower(password)] || oneCharacter(password):
		return fault("密码过于常见，容易被猜中，请换一个", "the password is too common and easily guessed")
	}
	return nil
}

// IsCommonPassword reports whether the embedded list holds password (any case).
func IsCommonPassword(password string) bool { return weak[strings.ToLower(password)] }

func oneCharacter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.Trim(s, string(r)) == ""
}

// otpAlphabet leaves out look-alikes (0/O, 1/l/I), since the one-time password is read out
// or copied by hand.
const otpAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// OneTimePassword makes a random 12-character password for a reset (about 70 bits).
func OneTimePassword() (string, error) {
	b := make([]byte, 12)
	max := big.NewInt(int64(len(otpAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = otpAlphabet[n.Int64()]
	}
	return string(b), nil
}
