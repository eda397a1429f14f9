export * from './audit.ts'
export * from './enums.ts'
export * from './records.ts'
