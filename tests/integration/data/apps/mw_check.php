<?php
// mw_check.php --conf LOCALSETTINGS USER PASSWORD: exit 0 when MediaWiki's
// own password login (LocalPasswordPrimaryAuthenticationProvider, what
// Special:UserLogin runs) accepts PASSWORD for USER, else 1. A maintenance
// script: MW_INSTALL_PATH names MediaWiki's tree. Used by apps.sh.
use MediaWiki\Auth\AuthenticationResponse;
use MediaWiki\Auth\AuthManager;
use MediaWiki\Auth\LocalPasswordPrimaryAuthenticationProvider;
use MediaWiki\Auth\PasswordAuthenticationRequest;
use MediaWiki\MediaWikiServices;

require_once getenv('MW_INSTALL_PATH') . '/maintenance/Maintenance.php';

class CustomdbCheckPassword extends Maintenance {
	public function __construct() {
		parent::__construct();
		$this->addArg('user', 'user name');
		$this->addArg('password', 'password');
	}

	public function execute() {
		$am = MediaWikiServices::getInstance()->getAuthManager();
		$provider = $am->getAuthenticationProvider(LocalPasswordPrimaryAuthenticationProvider::class);
		$req = new PasswordAuthenticationRequest();
		$req->action = AuthManager::ACTION_LOGIN;
		$req->username = $this->getArg(0);
		$req->password = $this->getArg(1);
		$res = $provider->beginPrimaryAuthentication([$req]);
		$ok = $res->status === AuthenticationResponse::PASS;
		$this->output("MediaWiki login of {$req->username}: " . ($ok ? 'accepted' : 'refused') . "\n");
		if (!$ok)
			exit(1);
	}
}

$maintClass = CustomdbCheckPassword::class;
require_once RUN_MAINTENANCE_IF_MAIN;
