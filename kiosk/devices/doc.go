// Package devices is the kiosk's use of its three serial devices — the GA 467 ID-card reader,
// the ESC/POS receipt printer and the QR scanner — turned into one stream of events for the
// kiosk flow, with every byte of I/O on goroutines owned by Run, never on the UI goroutine.
//
// # Events
//
// Events delivers CardRead (a card placed on the reader, read once per placement), CardError (a
// placement that could not be read: ask the person to place the card again), Scanned (a code
// held under the scanner) and DeviceState (a device went offline, came back, or the printer's
// paper or cover changed). The channel is buffered (Config.EventBuffer, 64 by default); when
// nobody reads and it is full, the oldest event is dropped to make room and a warning is logged
// with the dropped event's kind and device (never its card or code), because the newest state
// matters more to a kiosk than an old one. It is closed when Run returns.
//
// # States
//
//   - reader: idle when the SAM answers its self-test, error when the SAM reports a fault
//     (a technician's job), offline when the port is away or nothing answers.
//   - printer: idle when a receipt would print (paper ok or near end), error with
//     escpos.ErrPaperOut, ErrCoverOpen or ErrOffline as Err when it would not, offline when the
//     port is away or the printer does not answer; Paper always says ok, near_end or out.
//     The printer is asked every Config.StatusEvery and after every (re)connection, and it
//     reports changes itself through Automatic Status Back in between.
//   - scanner: idle while its port is open, offline while it is away.
//
// A DeviceState event goes out when a device's state, paper or kind of fault changes, and once
// at start for each configured device.
//
// # Unplugging
//
// Ports are drivers/serialport Ports: a device that vanishes (USB unplug, a twin restarted on
// a new pseudo-terminal behind the same symlink) is reopened with backoff after its path is
// resolved again, and shows as DeviceState offline, then idle.
//
// # Personal data
//
// A CardRead event holds the card; nothing else does. Event.String and LogValue print neither
// the card nor the scanned code, and errors come from drivers that never put field values in
// them, so an Event can be logged as it is.
package devices
