import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { JaringError } from '../../../services/node/errors.ts'
import { foldName, matchesName, nameTokens, searchTokens } from '../../../services/node/matching/names.ts'

describe('foldName', () => {
  it.each([
    ['Nguyễn Văn An', 'nguyen van an'],
    ['  TRẦN   Thị\tLan ', 'tran thi lan'],
    ['Đặng Thùy Dương', 'dang thuy duong'],
    ['Trương Ngọc Ánh', 'truong ngoc anh'],
    ['José María Núñez', 'jose maria nunez'],
    ['Søren Łukasz Straße Æsir', 'soren lukasz strasse aesir'],
    ['İSTANBUL', 'istanbul'],
    ['Ｔａｎａｋａ　Ｋｅｎ', 'tanaka ken'],
    ['Σωκράτης', 'σωκρατησ'],
    ['Пётр Йылмаз', 'петр иылмаз'],
  ])('%s -> %s', (name, folded) => {
    expect(foldName(name)).toBe(folded)
  })

  it('keeps the vowels and tone marks of Thai, Lao, Myanmar and Khmer, which are combining marks', () => {
    expect(foldName('สมชาย ใจดี')).toBe('สมชาย ใจดี')
    expect(foldName('คุณ น้ำผึ้ง')).toBe('คุณ น้ำผึ้ง')
    expect(foldName('ສົມພອນ')).toBe('ສົມພອນ')
    expect(foldName('အောင်ဆန်း')).toBe('အောင်ဆန်း')
    expect(foldName('សុខ ជា')).toBe('សុខ ជា')
    expect(foldName('김민준')).toBe('김민준')
    expect(foldName('さとう')).toBe('さとう')
    expect(foldName('が')).toBe('が')
  })

  it('writes the two spellings of Thai SARA AM and Lao AM, and tone marks typed before a vowel, one way', () => {
    const nam = 'น\u0E49\u0E33'
    expect(foldName('น\u0E49\u0E4D\u0E32')).toBe(nam)
    expect(foldName('น\u0E4D\u0E49\u0E32')).toBe(nam)
    expect(foldName('ท\u0E48\u0E35')).toBe('ท\u0E35\u0E48')
    expect(foldName('ค\u0ECD\u0EB2')).toBe('ค\u0EB3')
  })

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        expect(foldName(foldName(name))).toBe(foldName(name))
      }),
    )
  })
})

describe('nameTokens', () => {
  it.each([
    [['Nguyễn Văn An'], ['an', 'nguyen', 'van']],
    [['An Văn NGUYỄN'], ['an', 'nguyen', 'van']],
    [['Trần Thị-Lan'], ['lan', 'thi', 'tran']],
    [["O'Brien, Mary-Jane"], ['brien', 'jane', 'mary', 'o']],
    [
      ['Somchai Jaidee', 'สมชาย ใจดี'],
      ['jaidee', 'somchai', 'สมชาย', 'ใจดี'],
    ],
    [
      ['陈志强', 'Chen Zhiqiang'],
      ['chen', 'zhiqiang', '陈志强'],
    ],
    [['陈 志强'], ['志强', '陈']],
    [
      ['အောင် ကျော်', 'Aung Kyaw'],
      ['aung', 'kyaw', 'ကျော်', 'အောင်'],
    ],
    [
      ['Nguyễn Văn An', null, undefined, '', 'nguyen van AN'],
      ['an', 'nguyen', 'van'],
    ],
    [['---', '  '], []],
  ])('%j -> %j', (names, tokens) => {
    expect(nameTokens(...names)).toEqual(tokens)
  })

  it('drops marks that have no letter to sit on', () => {
    expect(nameTokens('\u0301An \u0E48')).toEqual(['an'])
  })

  it('gives the same tokens whatever the case, order and separators of the parts', () => {
    const part = fc.stringMatching(/^[a-zăâđêôơư]{1,8}$/)
    fc.assert(
      fc.property(
        fc.array(part, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(' ', '-', ', ', '  '),
        (parts, separator) => {
          const tokens = nameTokens(parts.join(' '))
          expect(nameTokens([...parts].reverse().join(separator).toUpperCase())).toEqual(tokens)
          expect(nameTokens(tokens.join(' '))).toEqual(tokens)
        },
      ),
    )
  })
})

describe('searchTokens and matchesName', () => {
  const person = nameTokens('Nguyễn Văn An', 'NGUYEN VAN AN')
  const thaiPerson = nameTokens('สมชาย ใจดี', 'Somchai Jaidee')

  it.each([
    ['nguyen', person, true],
    ['An Nguyen', person, true],
    ['NGUYỄN văn', person, true],
    ['nguyen-van-an', person, true],
    ['nguyen binh', person, false],
    ['nguy', person, false],
    ['สมชาย', thaiPerson, true],
    ['ใจดี สมชาย', thaiPerson, true],
    ['jaidee', thaiPerson, true],
    ['สมชัย', thaiPerson, false],
  ])('%s against %j: %s', (query, tokens, expected) => {
    expect(matchesName(tokens, searchTokens(query))).toBe(expected)
  })

  it('gives the sorted distinct folded tokens of a query', () => {
    expect(searchTokens('  Văn  NGUYỄN van ')).toEqual(['nguyen', 'van'])
  })

  it.each([
    ['', /no letters or digits/],
    [' - , ', /no letters or digits/],
    ['a b c d e f g h i j k', /more than 10 words/],
    ['a'.repeat(65), /longer than 64/],
    ['a '.repeat(501), /longer than 1000/],
  ])('rejects %j', (query, because) => {
    let caught: unknown
    try {
      searchTokens(query)
    } catch (error) {
      caught = error
    }
    expect(caught).toBeInstanceOf(JaringError)
    expect((caught as JaringError).code).toBe('VALIDATION_FAILED')
    expect((caught as JaringError).detail).toMatch(because)
  })

  it('accepts ten words and a word of 64 characters', () => {
    expect(searchTokens('a b c d e f g h i j')).toHaveLength(10)
    expect(searchTokens('a'.repeat(64))).toEqual(['a'.repeat(64)])
  })
})
