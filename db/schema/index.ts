export * from './audit.ts'
export * from './enums.ts'
export * from './federation.ts'
export * from './records.ts'
