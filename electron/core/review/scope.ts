import type { ReviewScope } from '../../../shared/review.ts'
import type { Db } from '../db/index.ts'
import { readSetting } from '../meta.ts'

/*
 * The agency's review catalogue (重大行政执法决定法制审核目录清单, 000 §5(2)3). It ships with the five criteria of
 * 000 §5(2)2; the agency renames, adds or switches them off, and may switch on Hebei's rule (004 §4(2)) that
 * every general-procedure penalty is reviewed. A filed penalty case in Liuhen is general procedure: on-the-spot
 * (simple procedure) penalties are not filed as cases.
 */

export const DEFAULT_SCOPE: ReviewScope = {
  items: [
    { code: 'large_amount', name: '责令追回医保基金或者罚款数额较大的', enabled: true },
    {
      code: 'hearing_termination',
      name: '责令解除医保服务协议等直接关系到当事人或第三人重大权益，经过听证程序的',
      enabled: true,
    },
    { code: 'complex', name: '案件情况疑难复杂、涉及多个法律关系的', enabled: true },
    { code: 'public_interest', name: '涉及重大公共利益的', enabled: true },
    { code: 'statutory', name: '法律、法规规定的其他需要审核的重大行政执法情形', enabled: true },
  ],
  allPenalties: false,
}

export const SCOPE_SETTING = 'review.scope'

export function reviewScope(db: Db): ReviewScope {
  return readSetting<ReviewScope>(db, SCOPE_SETTING, DEFAULT_SCOPE)
}

/** Whether a case must pass legal review before its decision: marked major, or a penalty under Hebei's rule. */
export function reviewRequired(db: Db, c: { type: string; major: number }): boolean {
  return c.major === 1 || (c.type === 'penalty' && reviewScope(db).allPenalties)
}
