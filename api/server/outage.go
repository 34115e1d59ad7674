package server

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yichuang/yichuang/services/storage"
)

// Outage codes: a dependency that is down is named, so the user knows it is not their
// mistake and that trying again later will work, and the operator knows where to look.
const (
	codeDatabaseUnavailable = "database_unavailable"
	codeStorageUnavailable  = "storage_unavailable"
)

// outage turns an error caused by a dependency being down into a 503 naming it, or nil.
func outage(ctx context.Context, err error) *Problem {
	switch {
	case errors.Is(err, storage.ErrUnavailable):
		return newProblem(ctx, http.StatusServiceUnavailable, codeStorageUnavailable,
			"文件存储服务（MinIO）暂不可用，请稍后重试", "file storage (MinIO) is unavailable; try again later")
	case databaseDown(err):
		return newProblem(ctx, http.StatusServiceUnavailable, codeDatabaseUnavailable,
			"数据库（PostgreSQL）暂不可用，请稍后重试", "the database (PostgreSQL) is unavailable; try again later")
	}
	return nil
}

// databaseDown recognises PostgreSQL being unreachable or going away: no connection could be
// made, the server is shutting down or starting (SQLSTATE class 08 connection exception, 57P
// operator intervention, 53300 too many connections), or a connection broke mid-request.
func databaseDown(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "53300"
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	// A connection that broke under a query: pgconn reports the read or write that failed.
	if s := err.Error(); strings.Contains(s, "conn closed") || strings.Contains(s, "failed to receive message") ||
		strings.Contains(s, "failed to write startup message") || strings.Contains(s, "failed to deallocate cached statement") {
		var ne net.Error
		return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.As(err, &ne) || strings.Contains(s, "conn closed")
	}
	return false
}
