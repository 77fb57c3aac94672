import { isIpenrichError, type IpenrichError } from '../../../../src/errors.js';

/** The IpenrichError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function failure(promise: Promise<unknown>): Promise<IpenrichError> {
  try {
    await promise;
  } catch (error) {
    if (isIpenrichError(error)) return error;
    throw error;
  }
  throw new Error('expected the delivery to fail');
}
