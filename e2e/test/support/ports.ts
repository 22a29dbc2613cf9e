/** Ports for the processes a system test starts: common's, as every test harness takes them. */
export { freePort } from '@glotixz/common/testing';
