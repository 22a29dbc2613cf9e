export { AppError, notFound, type ErrorBody } from './app-error';
export { errorStatus, errorCodes, type ErrorCode } from './error-codes';
