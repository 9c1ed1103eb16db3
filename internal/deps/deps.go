package deps

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/creack/pty"
	_ "github.com/eclipse/paho.mqtt.golang"
	_ "github.com/mochi-mqtt/server/v2"
	_ "github.com/simonvetter/modbus"
	_ "go.bug.st/serial"
	_ "go.bug.st/serial/enumerator"
	_ "modernc.org/sqlite"
	_ "github.com/prometheus/client_golang/prometheus"
)
