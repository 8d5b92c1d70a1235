import { packageConfig } from '../../tsup.config.base';

// One build for the library and the command line. The bin no longer needs to be
// bundled to start fast: @tcpinfo/netlink loads its socket binding only when a
// socket is opened, which tcpinfo-csv never does.
export default packageConfig(['src/index.ts', 'src/bin.ts', 'src/convert-worker.ts']);
