package i18n

import "testing"

// (으)로 takes 로 after a vowel or a final ㄹ and 으로 after any other final
// consonant; numbers end as Korean reads them.
func TestParticleRo(t *testing.T) {
	for _, tc := range []struct{ word, want string }{
		// Each final digit, read alone: 영 일 이 삼 사 오 육 칠 팔 구.
		{"0", "0으로"}, {"1", "1로"}, {"2", "2로"}, {"3", "3으로"}, {"4", "4로"},
		{"5", "5로"}, {"6", "6으로"}, {"7", "7로"}, {"8", "8로"}, {"9", "9로"},
		// The demo's values.
		{"5,003", "5,003으로"}, {"5,009", "5,009로"}, {"2,176", "2,176으로"}, {"1,151", "1,151로"}, {"2,878", "2,878로"},
		// Trailing zeros are read as the place: 십 백 천 만 억 조 경.
		{"10", "10으로"}, {"20", "20으로"}, {"110", "110으로"}, {"300", "300으로"}, {"1,000", "1,000으로"},
		{"10000", "10000으로"}, {"1,010,000", "1,010,000으로"}, {"20,000,000", "20,000,000으로"},
		{"100,000,000", "100,000,000으로"}, {"1,000,000,000,000", "1,000,000,000,000로"}, {"10,000,000,000,000,000", "10,000,000,000,000,000으로"},
		// Decimals are read digit by digit: 이점오, 일점영.
		{"2.5", "2.5로"}, {"1.0", "1.0으로"}, {"0.13", "0.13으로"}, {"-4", "-4로"},
		// Units and symbols as read.
		{"95.2%", "95.2%로"}, {"33%", "33%로"}, {"1.5 MiB", "1.5 MiB로"}, {"65k", "65k로"}, {"12M", "12M으로"},
		// Hangul: vowel, ㄹ, other final consonants.
		{"서버", "서버로"}, {"서울", "서울로"}, {"알람", "알람으로"}, {"10분", "10분으로"}, {"3일", "3일로"},
		// Acronyms by their letters' names; English words as Korean writes them.
		{"CPU", "CPU로"}, {"VPN", "VPN으로"}, {"URL", "URL로"}, {"NetworkIn", "NetworkIn으로"}, {"breaching", "breaching으로"},
		{"Command", "Command로"}, {"max", "max로"}, {"p95", "p95로"}, {"p50", "p50으로"},
		// What follows a parenthesis or a quote is the word before it.
		{"커피(coffee)", "커피(coffee)로"}, {"`알람`", "`알람`으로"}, {"5,003 ", "5,003 으로"},
		// Nothing to read: both forms.
		{"", "(으)로"}, {"→", "→(으)로"}, {"x)", "x)(으)로"},
	} {
		if got := KoRo.Attach(tc.word); got != tc.want {
			t.Errorf("KoRo.Attach(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
}

// The other particles have no ㄹ exception: 이/가, 을/를, 은/는, 과/와.
func TestParticles(t *testing.T) {
	for _, tc := range []struct {
		p          Particle
		word, want string
	}{
		{KoIGa, "p50", "p50이"}, {KoIGa, "p95", "p95가"}, {KoIGa, "서울", "서울이"}, {KoIGa, "1", "1이"}, {KoIGa, "2", "2가"}, {KoIGa, "", "이(가)"},
		{KoEulReul, "3389", "3389를"}, {KoEulReul, "8888", "8888을"}, {KoEulReul, "MFA", "MFA를"}, {KoEulReul, "7", "7을"},
		{KoEunNeun, "1", "1은"}, {KoEunNeun, "2", "2는"}, {KoEunNeun, "NetworkIn", "NetworkIn은"},
		{KoGwaWa, "MAD", "MAD와"}, {KoGwaWa, "100", "100과"}, {KoGwaWa, "L", "L과"},
	} {
		if got := tc.p.Attach(tc.word); got != tc.want {
			t.Errorf("%s.Attach(%q) = %q, want %q", tc.p.Unknown, tc.word, got, tc.want)
		}
	}
}
