package emulator_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/deltastream-go/deltastream/emulator"
)

func TestStartListDatabases(t *testing.T) {
	_, db := start(t, emulator.Config{})
	cols, rows := queryAll(t, db, "LIST DATABASES;")
	require.Equal(t, []string{"Name", "IsDefault", "Owner", "CreatedAt"}, cols)
	require.Len(t, rows, 1)
	require.Equal(t, []string{"db", "true", "sysadmin"}, rows[0][:3])
}

func TestCloseIdempotent(t *testing.T) {
	emu, err := emulator.Start(emulator.Config{})
	require.NoError(t, err)
	require.NoError(t, emu.Close())
	require.NoError(t, emu.Close())
}

func TestDSNOnUnspecifiedAddress(t *testing.T) {
	emu, db := start(t, emulator.Config{Addr: "0.0.0.0:0"})
	require.Contains(t, emu.DSN(), "@127.0.0.1:")
	_, rows := queryAll(t, db, `LIST DATABASES;`)
	require.Len(t, rows, 1)
}
