package backend

// The demo e-licence store: synthetic records for the simulator's test cards
// (firmware-sim/sim/idreader/cards). Every person, number and account here is invented.

const demoSource = "滕州市电子证照库"

// Demo holders' ID numbers, as on the simulator's cards.
const (
	DemoZhangSan     = "110101199003070011" // 张三, male, b. 1990: the newborn story
	DemoLiSi         = "310104196508120021" // 李四, female, b. 1965: retired
	DemoWangWu       = "450102198806150031" // 王五, male, b. 1988: disability certificate
	DemoChenXiaoming = "810000199203040056" // 陈小明, Hong Kong resident: residence permit
)

func demo(holder, typ, number, issuer, validTo string, fields map[string]string) SeedRecord {
	return SeedRecord{HolderID: holder, Licence: Licence{Type: typ, Number: number, Source: demoSource,
		Issuer: issuer, ValidTo: validTo, Fields: fields}}
}

const (
	issPolice   = "滕州市公安局"
	issTraffic  = "滕州市公安局交通警察大队"
	issCivil    = "滕州市民政局"
	issHealth   = "滕州市卫生健康局(助产机构签发)"
	issCDC      = "滕州市疾病预防控制中心"
	issHRSS     = "滕州市人力资源和社会保障局"
	issEstate   = "滕州市自然资源和规划局(不动产登记中心)"
	issDisabled = "滕州市残疾人联合会"
)

// DemoSeed is what `kiosk backend serve --seed-demo` loads.
var DemoSeed = []SeedRecord{
	demo(DemoZhangSan, "id_card", DemoZhangSan, "北京市公安局东城分局", "2036-03-07",
		map[string]string{"name": "张三", "sex": "男", "birth_date": "1990-03-07", "id_number": DemoZhangSan, "address": "北京市东城区示例路1号"}),
	demo(DemoZhangSan, "household_register", "HK370481000011", issPolice, "",
		map[string]string{"name": "张三", "head_name": "张三", "relation_to_head": "户主", "address": "山东省滕州市荆河街道示例社区1号", "police_station": "滕州市公安局荆河派出所"}),
	demo(DemoZhangSan, "marriage_cert", "J370481-2024-000011", issCivil, "",
		map[string]string{"holder_name": "张三", "spouse_name": "赵丽", "spouse_id_number": "370481199205200028", "registered_on": "2024-05-20"}),
	demo(DemoZhangSan, "birth_medical_cert", "Q370000011", issHealth, "",
		map[string]string{"child_name": "张小宝", "child_sex": "男", "birth_date": "2026-11-20",
			"hukou_with": "随父", "hospital": "滕州市妇幼保健院", "father_name": "张三", "mother_name": "赵丽"}),
	demo(DemoZhangSan, "vaccination_record", "YM370481202611200011", issCDC, "",
		map[string]string{"child_name": "张小宝", "record_number": "YM370481202611200011", "vaccines": "乙肝疫苗第1剂;卡介苗"}),
	demo(DemoZhangSan, "social_security_card", "SB370481000011", issHRSS, "2036-01-01",
		map[string]string{"name": "张三", "card_number": "SB370481000011", "phone": "13800000011", "bank_account": "6217000000000000011", "bank_name": "中国建设银行滕州支行"}),
	demo(DemoZhangSan, "driving_licence", DemoZhangSan, issTraffic, "2030-06-30",
		map[string]string{"name": "张三", "licence_number": DemoZhangSan, "class": "C1", "first_issued": "2012-06-30"}),

	demo(DemoLiSi, "id_card", DemoLiSi, "上海市公安局黄浦分局", "长期",
		map[string]string{"name": "李四", "sex": "女", "birth_date": "1965-08-12", "id_number": DemoLiSi, "address": "上海市黄浦区测试大道200号3室"}),
	demo(DemoLiSi, "household_register", "HK370481000021", issPolice, "",
		map[string]string{"name": "李四", "head_name": "李四", "relation_to_head": "户主", "address": "山东省滕州市北辛街道示例小区2号楼", "police_station": "滕州市公安局北辛派出所"}),
	demo(DemoLiSi, "social_security_card", "SB370481000021", issHRSS, "2030-01-01",
		map[string]string{"name": "李四", "card_number": "SB370481000021", "phone": "13900000021", "bank_account": "6217000000000000021", "bank_name": "中国工商银行滕州支行"}),
	demo(DemoLiSi, "retirement_cert", "TX370481-2020-000021", issHRSS, "",
		map[string]string{"name": "李四", "retired_on": "2020-08-12", "employer": "滕州市示例纺织厂"}),
	demo(DemoLiSi, "real_estate_cert", "鲁(2019)滕州市不动产权第0000021号", issEstate, "",
		map[string]string{"cert_number": "鲁(2019)滕州市不动产权第0000021号", "owner": "李四", "location": "滕州市北辛街道示例小区2号楼1单元201室", "area_m2": "89.5"}),

	demo(DemoWangWu, "id_card", DemoWangWu, "南宁市公安局兴宁分局", "2038-06-15",
		map[string]string{"name": "王五", "sex": "男", "birth_date": "1988-06-15", "id_number": DemoWangWu, "address": "广西壮族自治区南宁市兴宁区虚构街12号"}),
	demo(DemoWangWu, "household_register", "HK370481000031", issPolice, "",
		map[string]string{"name": "王五", "head_name": "王五", "relation_to_head": "户主", "address": "山东省滕州市龙泉街道示例路31号", "police_station": "滕州市公安局龙泉派出所"}),
	demo(DemoWangWu, "disability_cert", DemoWangWu+"43", issDisabled, "2029-06-15",
		map[string]string{"name": "王五", "cert_number": DemoWangWu + "43", "category": "肢体", "grade": "三级"}),
	demo(DemoWangWu, "social_security_card", "SB370481000031", issHRSS, "2033-01-01",
		map[string]string{"name": "王五", "card_number": "SB370481000031", "phone": "13700000031", "bank_account": "6217000000000000031", "bank_name": "中国农业银行滕州支行"}),

	demo(DemoChenXiaoming, "residence_permit", DemoChenXiaoming, "深圳市公安局福田分局", "2028-03-04",
		map[string]string{"name": "陈小明", "pass_number": "H12345678", "address": "广东省深圳市福田区例子路66号", "valid_to": "2028-03-04"}),
}

// DemoResident is a person of DemoSeed, for the demo's resident codes.
type DemoResident struct {
	Card     string // the simulator's card file without ".toml", e.g. "zhangsan"; not personal
	Name     string
	IDNumber string
}

// DemoResidents are DemoSeed's people: `kiosk backend serve --seed-demo` prints a resident code
// for each, by Card only.
var DemoResidents = []DemoResident{
	{Card: "zhangsan", Name: "张三", IDNumber: DemoZhangSan},
	{Card: "lisi", Name: "李四", IDNumber: DemoLiSi},
	{Card: "wangwu", Name: "王五", IDNumber: DemoWangWu},
	{Card: "chenxiaoming", Name: "陈小明", IDNumber: DemoChenXiaoming},
}
