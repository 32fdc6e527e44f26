// Command ids, as declared in package.json's contributes.commands.
export const COMMANDS = {
  chooseModel: 'ghostwriter.chooseModel',
  reloadModel: 'ghostwriter.reloadModel',
  showLog: 'ghostwriter.showLog',
} as const;
