/*
 * Redaction before publication (000 §3(4)2: 涉及…个人隐私等不宜公开的信息，依据相关法律法规的规定进行处理).
 * Resident ID numbers lose their date of birth and sequence (the practice of the national rules on publishing
 * penalty decisions: 隐去第 7 至 14 位), mobile numbers their middle four digits, and a natural person's name
 * follows the agency's rule. Free text is scrubbed too, so a number typed into a conclusion is not published.
 */

export type PersonNameRule = 'full' | 'surname' | 'hidden'

/** 350102199003071234 → 350102********1234 (15-digit numbers: the six birth digits). */
export function maskResidentId(id: string): string {
  const s = id.trim()
  if (s.length === 18) return `${s.slice(0, 6)}********${s.slice(14)}`
  if (s.length === 15) return `${s.slice(0, 6)}******${s.slice(12)}`
  return '*'.repeat(s.length)
}

/** 张三丰 → 张某某 under 'surname'; '' (not published) under 'hidden'. */
export function maskName(name: string, rule: PersonNameRule): string {
  const chars = [...name.trim()]
  if (rule === 'full') return name.trim()
  if (rule === 'hidden') return '（自然人，姓名不予公开）'
  return chars.length ? `${chars[0]}${'某'.repeat(Math.max(1, Math.min(chars.length - 1, 2)))}` : ''
}

const ID18 = /(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])/g
const ID15 = /(?<![0-9A-Za-z])(\d{6})\d{6}(\d{3})(?![0-9A-Za-z])/g
const MOBILE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g

/** Text to publish: ID and mobile numbers masked, the natural persons' names replaced as the rule says. */
export function scrubText(text: string, persons: string[], rule: PersonNameRule): string {
  let out = text.replace(ID18, '$1********$2').replace(ID15, '$1******$2').replace(MOBILE, '$1****$2')
  if (rule !== 'full')
    for (const p of persons.filter((x) => x.trim().length > 1))
      out = out.split(p.trim()).join(rule === 'surname' ? maskName(p, 'surname') : '当事人')
  return out
}
