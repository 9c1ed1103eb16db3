// Package catalogue is the kiosk's list of "one things" (一件事): each Item bundles the
// procedures a citizen or company applies for together, with the departments, the materials
// and the e-licences (电子证照) that cover them, a short form, time limits and the window
// that finishes what the terminal cannot.
//
// The catalogue is data, not code, because the lists grow every year (国发〔2024〕3号 named
// 13 national key items for 2024; Tengzhou extended them to 62 local ones). The files under
// data/ are embedded; Load("") reads them, Load(dir) reads the same layout from a directory
// instead, so a center can ship its own list without a new build. data/README.md documents
// every key.
//
// Load validates everything and reports every problem at once (errors.Join of *Problem),
// each naming the file and the entry, so a broken catalogue is fixed in one round:
//
//	catalogue: items/newborn.toml: item "newborn": material "marriage": unknown licence "marrige_cert"
//
// Categories follow the life-cycle lists of 国办发〔2025〕24号: birth … after_death for
// persons, entry … closure for enterprises.
package catalogue
