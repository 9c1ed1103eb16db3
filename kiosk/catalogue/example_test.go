package catalogue_test

import (
	"fmt"

	"github.com/onestop-station/onestop/kiosk/catalogue"
)

func Example() {
	c, err := catalogue.Load("") // the embedded catalogue; Load(dir) for a center's own
	if err != nil {
		fmt.Println(err)
		return
	}
	it := c.Search("新生儿")[0]
	fmt.Println(it.ID, it.Name.In("en"), "-", len(it.Procedures), "procedures, window", it.Window)
	for _, m := range it.Materials {
		fmt.Printf("  %s %v\n", m.Name.Hans, m.Licences)
	}
	// Output:
	// newborn Birth of a Newborn - 7 procedures, window A
	//   父母双方居民身份证 [id_card]
	//   居民户口簿 [household_register]
	//   结婚证 [marriage_cert]
	//   出生医学证明 [birth_medical_cert]
	//   预防接种证 [vaccination_record]
	//   新生儿照片 []
}
