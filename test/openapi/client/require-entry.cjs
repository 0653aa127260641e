// The package as a CommonJS consumer gets it: Node's own require, through the package's exports.
module.exports = require("@hoptrace/client");
