// Names of the intake form's fields, for a refusal's field errors in the 待发送 list
// (problem+json errors[].location below the body: applicant.id_no → 身份证号码).
export const FIELD_LABELS: Record<string, string> = {
  item_id: '事项',
  materials: '材料',
  'applicant.kind': '申请人类型',
  'applicant.name': '申请人',
  'applicant.id_no': '证件号码',
  'applicant.phone': '联系电话',
  'applicant.contact': '经办人',
  authorization: '代办委托',
  'authorization.signed_on': '委托日期',
  'authorization.document': '委托书',
}
