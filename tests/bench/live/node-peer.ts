/** Runs one bundled capture peer (peer.ts) as a child process and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import type { PeerResult } from './peer.js';

export class NodePeer {
  private constructor(private readonly child: ChildProcess) {}

  /** Starts the peer and resolves once it is capturing. */
  static start(bundle: string, kind: string, port: number, bufferMb: number): Promise<NodePeer> {
    return new Promise((resolve, reject) => {
      const child = fork(bundle, [kind, String(port), String(bufferMb)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.once('message', () => resolve(new NodePeer(child)));
      child.once('exit', (code) => reject(new Error(`peer ${kind} exited with code ${code} before capturing`)));
    });
  }

  /** Asks the peer to finish once its capture is quiet; resolves with its counts. */
  drainAndStop(): Promise<PeerResult> {
    return new Promise((resolve, reject) => {
      this.child.removeAllListeners('exit');
      this.child.once('message', (result) => resolve(result as PeerResult));
      this.child.once('exit', (code) => reject(new Error(`peer exited with code ${code} before reporting`)));
      this.child.send({ drain: true });
    });
  }
}
