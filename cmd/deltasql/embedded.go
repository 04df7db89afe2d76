package main

import "github.com/deltastream-go/deltastream/emulator"

// startEmbedded starts the local emulator in this process, in memory or
// on dataFile, and returns its DSN and the func that stops it. This is the
// shell's only use of the emulator package.
func startEmbedded(dataFile string) (dsn string, stop func() error, err error) {
	emu, err := emulator.Start(emulator.Config{DataFile: dataFile})
	if err != nil {
		return "", nil, err
	}
	return emu.DSN(), emu.Close, nil
}
