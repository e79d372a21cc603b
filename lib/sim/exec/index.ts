/** pods/exec and pods/attach for the simulator: the remotecommand WebSocket protocol and a tiny shell. */
export { runExecSession, type ExecTarget } from './session';
export { EXEC_PROTOCOLS, pickExecProtocol, type ExecProtocol } from './protocol';
