/*
 * What ships as data: case types, the documents each stage calls for (003 arts. 7-20) and the actions that
 * must be recorded in full on audio/video (003 arts. 13, 16, 18; 000 §4(2)2; 001). Migration 60 writes them
 * into tables the agency can edit; later changes to this list need a migration of their own.
 */

export type Stage = 'start' | 'investigation' | 'decision' | 'execution'
export const STAGES: readonly Stage[] = ['start', 'investigation', 'decision', 'execution']

export const CASE_TYPES = [
  { code: 'inspection', name: '行政检查', abbr: '检' },
  { code: 'compulsory', name: '行政强制', abbr: '强' },
  { code: 'penalty', name: '行政处罚', abbr: '罚' },
] as const

export const ACTION_TYPES: { code: string; name: string; stage: Stage; fullAv: boolean }[] = [
  { code: 'onsite_inspection', name: '现场检查', stage: 'investigation', fullAv: false },
  { code: 'inquiry', name: '询问', stage: 'investigation', fullAv: false },
  { code: 'sealing', name: '查封扣押', stage: 'investigation', fullAv: true },
  { code: 'preservation', name: '证据先行登记保存', stage: 'investigation', fullAv: true },
  { code: 'sampling', name: '抽样取证', stage: 'investigation', fullAv: true },
  { code: 'compulsory_onsite', name: '现场实施强制措施', stage: 'investigation', fullAv: true },
  { code: 'notify_opinion', name: '告知执法意见', stage: 'decision', fullAv: true },
  { code: 'hearing', name: '听证', stage: 'decision', fullAv: true },
  { code: 'direct_service', name: '直接送达', stage: 'execution', fullAv: false },
  { code: 'lien_service', name: '留置送达', stage: 'execution', fullAv: true },
  { code: 'public_notice_service', name: '公告送达', stage: 'execution', fullAv: false },
  { code: 'other', name: '其他执法活动', stage: 'investigation', fullAv: false },
]

type CaseTypeCode = (typeof CASE_TYPES)[number]['code']

export const DOC_TYPES: {
  code: string
  name: string
  stage: Stage
  requiredFor: CaseTypeCode[]
  action?: string
}[] = [
  { code: 'filing_approval', name: '立案审批表', stage: 'start', requiredFor: ['penalty'] },
  { code: 'application_record', name: '申请及受理材料', stage: 'start', requiredFor: [] },
  { code: 'complaint_record', name: '投诉举报登记表', stage: 'start', requiredFor: [] },
  { code: 'transfer_letter', name: '案件移送书', stage: 'start', requiredFor: [] },
  {
    code: 'onsite_record',
    name: '现场笔录',
    stage: 'investigation',
    requiredFor: ['inspection'],
    action: 'onsite_inspection',
  },
  { code: 'inquiry_record', name: '询问笔录', stage: 'investigation', requiredFor: [], action: 'inquiry' },
  { code: 'inquiry_notice', name: '询问通知书', stage: 'investigation', requiredFor: [] },
  {
    code: 'sealing_decision',
    name: '查封扣押决定书',
    stage: 'investigation',
    requiredFor: ['compulsory'],
    action: 'sealing',
  },
  {
    code: 'sealing_inventory',
    name: '查封扣押财物清单',
    stage: 'investigation',
    requiredFor: ['compulsory'],
  },
  {
    code: 'preservation_notice',
    name: '证据先行登记保存通知书',
    stage: 'investigation',
    requiredFor: [],
    action: 'preservation',
  },
  {
    code: 'sampling_record',
    name: '抽样取证记录',
    stage: 'investigation',
    requiredFor: [],
    action: 'sampling',
  },
  { code: 'assistance_letter', name: '协助调查函', stage: 'investigation', requiredFor: [] },
  { code: 'appraisal_commission', name: '鉴定（审计）委托书', stage: 'investigation', requiredFor: [] },
  {
    code: 'rights_notice',
    name: '事先告知书',
    stage: 'decision',
    requiredFor: ['penalty'],
    action: 'notify_opinion',
  },
  { code: 'statement_record', name: '陈述申辩笔录或放弃声明', stage: 'decision', requiredFor: [] },
  { code: 'hearing_record', name: '听证笔录', stage: 'decision', requiredFor: [], action: 'hearing' },
  { code: 'legal_review_record', name: '法制审核记录', stage: 'decision', requiredFor: [] },
  { code: 'collective_discussion', name: '集体讨论记录', stage: 'decision', requiredFor: [] },
  {
    code: 'decision_document',
    name: '处理决定书',
    stage: 'decision',
    requiredFor: ['penalty', 'compulsory'],
  },
  { code: 'service_receipt', name: '送达回证', stage: 'execution', requiredFor: ['penalty', 'compulsory'] },
  {
    code: 'lien_service_record',
    name: '留置送达记录',
    stage: 'execution',
    requiredFor: [],
    action: 'lien_service',
  },
  {
    code: 'public_notice_record',
    name: '公告送达记录',
    stage: 'execution',
    requiredFor: [],
    action: 'public_notice_service',
  },
  { code: 'performance_record', name: '履行及整改情况记录', stage: 'execution', requiredFor: [] },
  { code: 'court_enforcement', name: '申请法院强制执行材料', stage: 'execution', requiredFor: [] },
  { code: 'closing_report', name: '结案报告', stage: 'execution', requiredFor: ['penalty', 'compulsory'] },
]
