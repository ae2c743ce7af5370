package i18n

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Particle is a Korean particle whose form follows the sound the word
// before it ends with: 이/가, 을/를, 은/는, 과/와, (으)로. A sentence that
// puts a value before a particle ("%s로 변했습니다") must pick the form from
// the value, or a number such as 5,003 (오천삼) reads "5,003로".
type Particle struct {
	// Consonant follows a final consonant (받침): 이, 을, 은, 과, 으로.
	Consonant string
	// Vowel follows a vowel: 가, 를, 는, 와, 로.
	Vowel string
	// RieulVowel: a final ㄹ takes the vowel form, as (으)로 does (서울로, 1일로).
	RieulVowel bool
	// Unknown is written when the sound cannot be told: 이(가), (으)로.
	Unknown string
}

// The particles the reports use.
var (
	KoIGa     = Particle{Consonant: "이", Vowel: "가", Unknown: "이(가)"}
	KoEulReul = Particle{Consonant: "을", Vowel: "를", Unknown: "을(를)"}
	KoEunNeun = Particle{Consonant: "은", Vowel: "는", Unknown: "은(는)"}
	KoGwaWa   = Particle{Consonant: "과", Vowel: "와", Unknown: "과(와)"}
	KoRo      = Particle{Consonant: "으로", Vowel: "로", RieulVowel: true, Unknown: "(으)로"}
)

// After returns the form of p that follows word.
func (p Particle) After(word string) string {
	switch finalSound(word) {
	case soundVowel:
		return p.Vowel
	case soundRieul:
		if p.RieulVowel {
			return p.Vowel
		}
		return p.Consonant
	case soundConsonant:
		return p.Consonant
	}
	return p.Unknown
}

// Attach returns word followed by the form of p that follows it:
// KoRo.Attach("5,003") is "5,003으로", KoRo.Attach("5,009") "5,009로".
func (p Particle) Attach(word string) string { return word + p.After(word) }

type sound int

const (
	soundUnknown   sound = iota
	soundVowel           // no final consonant: 가, 1.5 (오)
	soundRieul           // final ㄹ: 일, 칠, 팔
	soundConsonant       // any other final consonant: 삼, 육, 십, 백, 천, 만, 억, 영
)

// digitSound is how each digit read alone ends: 영 일 이 삼 사 오 육 칠 팔 구.
var digitSound = [10]sound{soundConsonant, soundRieul, soundVowel, soundConsonant, soundVowel, soundVowel, soundConsonant, soundRieul, soundRieul, soundVowel}

// placeSound is how a whole number read in Korean ends when it ends in n
// zeros: 십 (10), 백 (100), 천 (1,000), 만 (10⁴ up to 천만), 억 (10⁸ up to
// 천억), 조 (10¹², a vowel), 경 (10¹⁶).
func placeSound(zeros int) sound {
	switch {
	case zeros >= 12 && zeros < 16:
		return soundVowel
	case zeros >= 1 && zeros < 20:
		return soundConsonant
	}
	return soundUnknown
}

// letterSound is how the name of each Latin letter ends when an acronym is
// read letter by letter (CPU 씨피유, EBS 이비에스, VM 브이엠): L 엘 and R 알
// end in ㄹ, M 엠 and N 엔 in a consonant, every other name in a vowel.
func letterSound(r rune) sound {
	switch unicode.ToUpper(r) {
	case 'L', 'R':
		return soundRieul
	case 'M', 'N':
		return soundConsonant
	}
	return soundVowel
}

// finalSound is how word ends when read aloud in Korean: the last Hangul
// syllable's final consonant; a number as Korean reads it (5,003 오천삼,
// 10 십, 1,000 천, 2.5 이점오); % as 퍼센트; an acronym or a unit with a
// capital at its end (CPU, MiB) by the name of its last letter; an English
// word as Korean writes it, ending in a vowel (스, 트, 크) except after m,
// n, ng (ㅁ, ㄴ, ㅇ) and l (ㄹ). A parenthesis or closing quote at the end
// is skipped: the particle follows the word before it (커피(coffee)를).
func finalSound(word string) sound {
	word = strings.TrimRightFunc(word, unicode.IsSpace)
	for word != "" {
		r, size := utf8.DecodeLastRuneInString(word)
		switch {
		case r == ')':
			i := strings.LastIndexByte(word, '(')
			if i < 0 {
				return soundUnknown
			}
			word = strings.TrimRightFunc(word[:i], unicode.IsSpace)
			continue
		case r == '"' || r == '\'' || r == '`' || r == '’' || r == '”':
			word = word[:len(word)-size]
			continue
		case r >= 0xAC00 && r <= 0xD7A3:
			switch (r - 0xAC00) % 28 {
			case 0:
				return soundVowel
			case 8:
				return soundRieul
			}
			return soundConsonant
		case r >= '0' && r <= '9':
			return numberSound(word)
		case r == '%':
			return soundVowel // 퍼센트
		case r < utf8.RuneSelf && unicode.IsLetter(r):
			return latinSound(word)
		}
		return soundUnknown
	}
	return soundUnknown
}

// numberSound reads the number at the end of s: digits, with commas
// grouping the whole part and a point before decimals, which are read one
// digit at a time (2.50 이점오영).
func numberSound(s string) sound {
	i := len(s)
	for i > 0 && (s[i-1] >= '0' && s[i-1] <= '9' || s[i-1] == ',' || s[i-1] == '.') {
		i--
	}
	num := s[i:]
	if j := strings.LastIndexByte(num, '.'); j >= 0 && j < len(num)-1 {
		return digitSound[num[len(num)-1]-'0']
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, num)
	zeros := len(digits) - len(strings.TrimRight(digits, "0"))
	switch {
	case zeros == len(digits):
		return digitSound[0] // 영
	case zeros == 0:
		return digitSound[digits[len(digits)-1]-'0']
	}
	return placeSound(zeros)
}

// latinSound reads the run of Latin letters at the end of s.
func latinSound(s string) sound {
	i := len(s)
	for i > 0 && s[i-1] < utf8.RuneSelf && unicode.IsLetter(rune(s[i-1])) {
		i--
	}
	w := s[i:]
	last := rune(w[len(w)-1])
	if len(w) == 1 || unicode.IsUpper(last) {
		return letterSound(last)
	}
	lw := strings.ToLower(w)
	switch {
	case strings.HasSuffix(lw, "m"), strings.HasSuffix(lw, "n"), strings.HasSuffix(lw, "ng"):
		return soundConsonant
	case strings.HasSuffix(lw, "l"):
		return soundRieul
	}
	return soundVowel
}
